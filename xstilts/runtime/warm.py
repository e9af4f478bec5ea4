"""Warm job runner: start a script in a process forked from a server that has already
imported torch, transformers (with Trainer), datasets, pyarrow and numpy.

Why: a demo model job spends ~5 s importing these and ~1 s in interpreter teardown for
~1-2 s of work, and nothing in the imports depends on the job. Opt-in (config `warm_start`):
the workflow's shell prefix exports XSTILTS_WARM_START=1, and a model script's first
statement, `hand_over()`, then sends the job to the server instead of importing. Neither
the command nor the parameters of a job name it, so toggling warm_start reruns nothing.
By hand, for any script that calls setup_compute:

    python -m xstilts.runtime.warm scripts/train.py ARGS...   # or: python scripts/train.py ...

Results are identical to a cold start; only start-up time differs:
- The job gets the client's argv, cwd, environment, umask, CPU affinity and its very
  stdin/stdout/stderr (the descriptors are passed, so `> log 2>&1` works), `sys.path`,
  `__file__` and `__main__` as `python script.py` sets them, and a fresh import of this
  package; the client exits with the job's status (exception: traceback and 1; signal:
  the same signal). A missing script or an unreachable server means a cold `exec`.
- One server per checkout, interpreter, user *and environment* (variables read at import,
  such as the OMP_NUM_THREADS Snakemake sets per job, name the socket). It only imports,
  with the offline switches that `scripts/_cli.py::setup_compute` sets before a compute
  job imports: use it for scripts that call setup_compute (train.py, retrieve.py). It
  initialises no CUDA, runs no torch op and holds no file of the jobs; had an import
  initialised CUDA anyway, the child would exec a cold interpreter instead.
- TERM/INT/HUP to the client go to the job's process group, then the client dies of the
  signal; when the client vanishes (even by SIGKILL) the server kills the job.
The server exits after XSTILTS_WARM_IDLE seconds (default 120) without jobs.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import importlib
import json
import os
import runpy
import select
import signal
import socket
import struct
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

from xstilts.runtime.offline import go_offline

PRELOAD = ("numpy", "pyarrow", "pyarrow.dataset", "pyarrow.parquet", "torch", "datasets",
           "safetensors.torch", "transformers", "transformers.trainer", "transformers.activations",
           "transformers.modeling_layers")
CHECKOUT = Path(__file__).resolve().parents[2]
SHELL_BOOKKEEPING = {"_", "PWD", "OLDPWD", "SHLVL"}  # left out of the server's key
CANCEL = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
START_TIMEOUT_S, GRACE_S, INT = 120.0, 5.0, struct.Struct("!q")
ENABLED = "XSTILTS_WARM_START"  # "1": model scripts hand their job over (hand_over)
NAME = "xstilts.runtime.warm"


def socket_path() -> Path:
    """This checkout's, interpreter's, user's and environment's server, in a 0700 folder."""
    base = os.environ.get("XSTILTS_WARM_DIR") or os.path.join(
        os.environ.get("XDG_RUNTIME_DIR") or "/tmp", f"xstilts-warm-{os.getuid()}")
    os.makedirs(base, mode=0o700, exist_ok=True)
    info = os.stat(base)
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise OSError(f"{base} is not private to this user")
    env = sorted(item for item in os.environ.items() if item[0] not in SHELL_BOOKKEEPING)
    key = json.dumps([str(CHECKOUT), sys.executable, os.getuid(), env])
    return Path(base) / f"{hashlib.sha256(key.encode()).hexdigest()[:20]}.sock"


def serve(path: str) -> tuple[dict, list[int]]:
    """Import, listen, fork a child per job; return (request, stdio fds) in each child."""
    idle = float(os.environ.get("XSTILTS_WARM_IDLE", "120"))
    if not sys.flags.safe_path:
        del sys.path[0]  # the checkout, put there by -m; the child puts the script's folder
    go_offline()
    preload = os.environ.get("XSTILTS_WARM_PRELOAD")  # a comma-separated override (tests)
    for name in preload.split(",") if preload else PRELOAD:
        importlib.import_module(name)
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)  # EADDRINUSE: another server won the race; this one exits
    listener.listen(64)
    inode, jobs, deadline = os.stat(path).st_ino, {}, time.monotonic() + idle  # pidfd: (pid, conn)
    while jobs or time.monotonic() < deadline:
        conns = [conn for _, conn in jobs.values() if conn is not None]
        timeout = None if jobs else max(0.0, deadline - time.monotonic())
        ready = select.select([listener, *jobs, *conns], [], [], timeout)[0]
        for pidfd, (pid, conn) in list(jobs.items()):
            if pidfd in ready:  # the job ended: reap it, tell its client
                status = os.waitpid(pid, 0)[1]
                if conn is not None:
                    with suppress(OSError):
                        conn.sendall(INT.pack(status))
                    conn.close()
                os.close(pidfd)
                del jobs[pidfd]
                deadline = time.monotonic() + idle
            elif conn in ready:  # the client is gone (killed or cancelled): so is its job
                with suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
                conn.close()
                jobs[pidfd] = (pid, None)
        if listener in ready:
            conn = listener.accept()[0]
            try:
                conn.settimeout(10)
                header, fds, _, _ = socket.recv_fds(conn, INT.size, 3)
                request = json.loads(_recv_exact(conn, INT.unpack(header)[0]))
                conn.settimeout(None)
            except (OSError, ValueError, EOFError, struct.error):
                conn.close()
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            gc.freeze()  # the imports' objects: no copy-on-write by GC, and a 1 s faster exit
            pid = os.fork()
            if pid == 0:
                for pidfd, (_, other) in jobs.items():
                    os.close(pidfd)
                    if other is not None:
                        other.close()
                listener.close()
                conn.close()
                return request, fds
            for fd in fds:
                os.close(fd)
            with suppress(OSError):
                os.setpgid(pid, pid)
            jobs[os.pidfd_open(pid)] = (pid, conn)
            with suppress(OSError):
                conn.sendall(INT.pack(pid))
    with suppress(OSError):
        if os.stat(path).st_ino == inode:  # not a newer server's socket
            os.unlink(path)
    sys.exit(0)


def run_job(request: dict, fds: list[int]) -> None:
    """In the forked child: become `python script.py ARGS...` and run it."""
    os.setpgid(0, 0)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ.pop(ENABLED, None)  # the job's own hand_over() runs it here
    os.umask(request["umask"])
    with suppress(OSError):
        os.sched_setaffinity(0, request["cpus"])
    sys.argv = request["argv"]
    script = os.path.abspath(sys.argv[0])
    if not sys.flags.safe_path:
        sys.path.insert(0, os.path.dirname(os.path.realpath(script)))
    for name in [name for name in sys.modules if name.split(".")[0] == "xstilts"]:
        del sys.modules[name]  # the script imports the project as a cold start would
    sys.stdout.reconfigure(line_buffering=sys.stdout.isatty() and not sys.stdout.write_through)
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda._is_in_bad_fork():  # an import initialised CUDA
        _exec_cold(sys.argv)
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise
    except BaseException as error:  # print and exit as the interpreter does, minus our frames
        trace = error.__traceback__
        while trace is not None and trace.tb_frame.f_code.co_filename != script:
            trace = trace.tb_next
        sys.excepthook(type(error), error.with_traceback(trace), trace)
        if isinstance(error, KeyboardInterrupt):
            _die_of(signal.SIGINT)
        sys.exit(1)


def submit(argv: list[str]) -> tuple[socket.socket, int]:
    """Send the job to the server (started if none answers); return (connection, job pid)."""
    path, umask = socket_path(), os.umask(0)
    os.umask(umask)
    request = json.dumps({"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                          "umask": umask, "cpus": sorted(os.sched_getaffinity(0))}).encode()
    for _ in range(3):  # a server may exit idle just as we connect: it hangs up before forking
        sock = _connect_or_start(path)
        try:
            socket.send_fds(sock, [INT.pack(len(request))], [0, 1, 2])
            sock.sendall(request)
            return sock, INT.unpack(_recv_exact(sock, INT.size))[0]
        except (OSError, EOFError):
            sock.close()
    raise RuntimeError("the warm server hung up three times")


def _connect_or_start(path: Path) -> socket.socket:
    with suppress(OSError):
        return _connect(path)
    with open(path.with_suffix(".lock"), "w") as lock:  # one starter at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        with suppress(OSError):
            return _connect(path)  # another client started it meanwhile
        with suppress(FileNotFoundError):
            os.unlink(path)  # stale: its server is gone
        with open(path.with_suffix(".log"), "ab") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", NAME, "--serve", str(path)], cwd=CHECKOUT,
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while server.poll() is None and time.monotonic() < deadline:
            with suppress(OSError):
                return _connect(path)
            time.sleep(0.05)
    raise RuntimeError(f"no warm server listening after {START_TIMEOUT_S:.0f} s "
                       f"(exit status {server.poll()}; see {path.with_suffix('.log')})")


def _connect(path: Path) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.connect(str(path))
    except OSError:
        sock.close()
        raise
    return sock


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError("the warm server hung up")
        data += chunk
    return data


class _Cancelled(BaseException):
    pass


def _cancel(signum, frame):
    raise _Cancelled(signum)


def wait(sock: socket.socket, pid: int) -> int:
    """The job's wait status. A cancelling signal is forwarded; then the client dies of it."""
    try:
        return INT.unpack(_recv_exact(sock, INT.size))[0]
    except _Cancelled as cancelled:
        signum = cancelled.args[0]
        for other in CANCEL:
            signal.signal(other, signal.SIG_DFL)  # a second signal ends the client at once
        with suppress(OSError):
            os.killpg(pid, signum)
        sock.settimeout(GRACE_S)  # let the job end as a cold one would; the server kills the rest
        with suppress(OSError, EOFError):
            _recv_exact(sock, INT.size)
        _die_of(signum)
    except EOFError:
        with suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        sys.exit(f"{NAME}: the server died during the job; the job was killed")


def _die_of(signum: int) -> None:
    """End as a process killed by signum, which is what the shell expects to see."""
    with suppress(OSError, ValueError):  # SIGKILL and SIGSTOP have no handler to reset
        signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    sys.exit(128 + signum)


def _exec_cold(argv: list[str]) -> None:
    """Become `python ARGV...`, which must not hand the job over again."""
    os.environ.pop(ENABLED, None)
    os.execv(sys.executable, [sys.executable, *argv])


def hand_over() -> None:
    """With XSTILTS_WARM_START=1, run this script's job in the warm server and exit with
    its status; otherwise return. Called before the script's heavy imports."""
    if os.environ.get(ENABLED) == "1":
        main(sys.argv)


def main(argv: list[str]) -> None:
    if argv[:1] == ["--serve"]:
        run_job(*serve(argv[1]))
        return
    if not argv or not os.path.isfile(argv[0]):  # python's own usage or error message
        _exec_cold(argv)
    for signum in CANCEL:
        signal.signal(signum, _cancel)
    try:
        sock, pid = submit(argv)
    except _Cancelled as cancelled:  # the server kills the job, if any, when we hang up
        _die_of(cancelled.args[0])
    except (OSError, RuntimeError) as error:
        print(f"{NAME}: {error}; starting {argv[0]} cold", file=sys.stderr, flush=True)
        _exec_cold(argv)
    code = os.waitstatus_to_exitcode(wait(sock, pid))
    if code < 0:  # the log says so, as a cold job's shell would not
        print(f"{NAME}: {argv[0]} killed by signal {-code} "
              f"({signal.Signals(-code).name})", file=sys.stderr, flush=True)
        _die_of(-code)
    sys.exit(code)


if __name__ == "__main__":
    main(sys.argv[1:])
