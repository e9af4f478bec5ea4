"""The warm job runner (xstilts.runtime.warm) behaves like `python script.py`, only faster to start.

Every test uses its own server folder (XSTILTS_WARM_DIR), and every server a test started
is killed at its end. Protocol tests preload only `json` (XSTILTS_WARM_PRELOAD) to stay
fast; the equivalence tests fork from a server that has imported the real libraries.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from xstilts.runtime.warm import ENABLED

REPO = Path(__file__).resolve().parents[3]
SCRIPT = """\
import os, sys, time
print("argv", sys.argv, "cwd", os.getcwd(), "FOO", os.environ.get("FOO"))
print("path", sys.path, "file", __file__, "name", __name__)
print("to stderr", file=sys.stderr)
print("stdin", repr(sys.stdin.read()))
print("server", os.getppid(), flush=True)
if len(sys.argv) > 2:
    open(sys.argv[2], "w").write(str(os.getpid()))
    time.sleep(60)
if sys.argv[1:] == ["raise"]:
    raise ValueError("boom")
sys.exit(int(sys.argv[1]) if sys.argv[1:] else 0)
"""


def servers(folder: str) -> list[int]:
    """Pids of the servers whose sockets are in `folder` (the tests' own, by command line)."""
    found = []
    for entry in Path("/proc").iterdir():
        with_folder = False
        if entry.name.isdigit():
            try:
                with_folder = folder.encode() in (entry / "cmdline").read_bytes()
            except OSError:
                continue
        if with_folder and b"--serve" in (entry / "cmdline").read_bytes():
            found.append(int(entry.name))
    return found


def gone(pid: int, within_s: float = 10.0) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return True  # exited; its parent reaps it
        time.sleep(0.05)
    return False


@pytest.fixture
def env():
    """A job environment with a private server folder (short: sockets allow 107 bytes)."""
    folder = tempfile.mkdtemp(prefix="warm", dir="/tmp")
    environment = {**os.environ, "XSTILTS_WARM_DIR": folder, "XSTILTS_WARM_PRELOAD": "json",
                   "FOO": "bar", "PYTHONPATH": str(REPO)}
    yield environment
    for pid in servers(folder):
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def heavy_env():
    """As `env`, with one server for the module that preloads the real libraries."""
    folder = tempfile.mkdtemp(prefix="warm", dir="/tmp")
    yield {**os.environ, "XSTILTS_WARM_DIR": folder, "FOO": "bar", "PYTHONPATH": str(REPO)}
    for pid in servers(folder):
        os.kill(pid, signal.SIGKILL)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def script(tmp_path) -> Path:
    (tmp_path / "work").mkdir()
    (tmp_path / "job.py").write_text(SCRIPT)
    return tmp_path / "job.py"


def run(script, *args, env, warm=True, **kwargs):
    prefix = [sys.executable, "-m", "xstilts.runtime.warm"] if warm else [sys.executable]
    return subprocess.run([*prefix, str(script), *args], env=env, cwd=script.parent / "work",
                          capture_output=True, text=True, timeout=120, **kwargs)


def server_of(result) -> int:
    return int(result.stdout.split("server ")[1].split()[0])


@pytest.mark.parametrize("args", [[], ["3"], ["raise"]])
def test_same_output_and_status_as_python(script, heavy_env, args):
    cold = run(script, *args, env=heavy_env, warm=False, input="some input\n")
    warm = run(script, *args, env=heavy_env, input="some input\n")
    assert (warm.returncode, warm.stderr) == (cold.returncode, cold.stderr)
    assert warm.stdout.split("server")[0] == cold.stdout.split("server")[0]
    assert server_of(warm) in servers(heavy_env["XSTILTS_WARM_DIR"])  # forked from the server
    assert cold.returncode == {"3": 3, "raise": 1}.get(args[0] if args else "", 0)
    if args == ["raise"]:
        assert warm.stderr.startswith("to stderr\nTraceback (most recent call last):\n")
        assert "warm.py" not in warm.stderr and "ValueError: boom" in warm.stderr


def test_redirection_to_files_and_server_reuse(script, env):
    log = script.parent / "job.log"
    command = f"{sys.executable} -m xstilts.runtime.warm {script} 5 > {log} 2>&1 < /dev/null"
    first = subprocess.run(command, shell=True, env=env, cwd=script.parent / "work")
    text = log.read_text()
    assert first.returncode == 5
    assert "to stderr" in text and "stdin ''" in text and "FOO bar" in text
    assert f"cwd {script.parent / 'work'}" in text
    assert server_of(run(script, env=env)) == server_of(run(script, env=env))


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_job_killed_by_a_signal_is_named_in_the_log(script, env, signum):
    pid_file = script.parent / f"job{signum}.pid"
    client = subprocess.Popen([sys.executable, "-m", "xstilts.runtime.warm", str(script), "0",
                               str(pid_file)], env=env, cwd=script.parent / "work",
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(int(pid_file.read_text()), signum)  # the job itself, as the OOM killer would
    _, stderr = client.communicate(timeout=60)
    assert client.returncode == -signum
    assert stderr.splitlines()[-1] == (f"xstilts.runtime.warm: {script} killed by signal {signum} "
                                       f"({signal.Signals(signum).name})")
    assert "Errno" not in stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_a_killed_client_takes_its_job_along(script, env, signum):
    pid_file = script.parent / "job.pid"
    client = subprocess.Popen([sys.executable, "-m", "xstilts.runtime.warm", str(script), "0",
                               str(pid_file)], env=env, cwd=script.parent / "work",
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    job = int(pid_file.read_text())
    client.send_signal(signum)
    assert client.wait(timeout=20) == -signum
    assert gone(job)


def test_concurrent_clients_start_one_server(script, env):
    results = [None, None]

    def client(index):
        results[index] = run(script, str(index), env=env)

    threads = [threading.Thread(target=client, args=(index,)) for index in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [result.returncode for result in results] == [0, 1]
    assert server_of(results[0]) == server_of(results[1])
    assert len(servers(env["XSTILTS_WARM_DIR"])) == 1


def test_stale_socket_is_replaced(script, env):
    first = server_of(run(script, env=env))
    os.kill(first, signal.SIGKILL)
    assert gone(first)
    assert list(Path(env["XSTILTS_WARM_DIR"]).glob("*.sock"))  # left behind
    second = run(script, env=env)
    assert second.returncode == 0 and server_of(second) != first


def test_idle_server_exits_and_removes_its_socket(script, env):
    env = {**env, "XSTILTS_WARM_IDLE": "1"}
    server = server_of(run(script, env=env))
    assert gone(server, within_s=20)
    assert not list(Path(env["XSTILTS_WARM_DIR"]).glob("*.sock"))


def test_another_environment_gets_another_server(script, env):
    first = server_of(run(script, env=env))
    assert server_of(run(script, env={**env, "OMP_NUM_THREADS": "2"})) != first
    assert server_of(run(script, env=env)) == first


def test_a_missing_script_fails_as_with_python(script, env):
    cold = run(script.parent / "missing.py", env=env, warm=False)
    warm = run(script.parent / "missing.py", env=env)
    assert (warm.returncode, warm.stderr, warm.stdout) == (cold.returncode, cold.stderr, "")
    assert cold.returncode == 2


def test_without_a_server_the_job_runs_cold(script, env):
    env = {**env, "XSTILTS_WARM_DIR": "/proc/no-unix-sockets-here"}
    result = run(script, "4", env=env)
    assert result.returncode == 4 and "starting" in result.stderr and "FOO bar" in result.stdout
    assert server_of(result) == os.getpid()  # exec'd in place of the client


HANDING_OVER = "from xstilts.runtime.warm import hand_over\n\nhand_over()\n"


@pytest.mark.parametrize("enabled", ["1", None])
def test_a_script_hands_its_job_over_only_when_warm_start_is_on(script, env, enabled):
    # the workflow's shell prefix sets XSTILTS_WARM_START; the command stays `python script`
    script.write_text(HANDING_OVER + SCRIPT)
    env = {key: value for key, value in env.items() if key != ENABLED}
    result = run(script, "3", env={**env, ENABLED: enabled} if enabled else env,
                 warm=False)
    assert result.returncode == 3 and "FOO bar" in result.stdout
    assert f"'{script}', '3'" in result.stdout  # the job's own argv, not the launcher's
    forked = server_of(result) in servers(env["XSTILTS_WARM_DIR"])
    assert forked == bool(enabled)


def test_a_job_run_cold_by_the_fallback_is_not_handed_over_again(script, env):
    script.write_text(HANDING_OVER + SCRIPT)
    env = {**env, ENABLED: "1", "XSTILTS_WARM_DIR": "/proc/no-unix-sockets-here"}
    result = run(script, "4", env=env, warm=False)
    assert result.returncode == 4 and result.stderr.count("starting") == 1
