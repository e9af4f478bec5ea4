#!/usr/bin/env bash
# A throw-away one-node SLURM cluster (Debian's SLURM 22.05, munge, no accounting) for the
# SLURM integration test, after /work/shared/notes/slurm-test-cluster.md. Needs root.
#
#   tests/slurm/cluster.sh install        apt-get install the daemons if missing
#   tests/slurm/cluster.sh start  DIR     write /etc/slurm/{slurm,gres}.conf, start munge,
#                                         slurmctld, slurmd; wait until the node is idle
#   tests/slurm/cluster.sh status DIR     daemons, sinfo, squeue
#   tests/slurm/cluster.sh stop   DIR     cancel jobs, stop the daemons by their pid files
#
# DIR holds all state (spool, pid files, logs). The configuration must live at SLURM's
# default path: inside a job the executor plugin clears every SLURM_* variable, SLURM_CONF
# included. The node has one fake GPU (gres gpu:1, File=/dev/null) so that GPU requests
# schedule on a CPU-only machine. Daemons are stopped only by the PIDs in their pid files.
# Every wait is bounded.
set -euo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
GRES_CONF=$CONF_DIR/gres.conf
MARKER="# written by xstilts tests/slurm/cluster.sh"
PACKAGES=(munge slurmctld slurmd slurm-client)
COMMANDS=(/usr/sbin/munged munge unmunge /usr/sbin/slurmctld /usr/sbin/slurmd
          sinfo squeue srun sbatch scancel scontrol)
WAIT_S=60

log() { echo "cluster.sh: $*" >&2; }

missing_commands() {
    local cmd missing=()
    for cmd in "${COMMANDS[@]}"; do
        command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
    done
    echo "${missing[*]}"
}

do_install() {
    local missing
    missing=$(missing_commands)
    if [[ -z $missing ]]; then
        log "SLURM and munge are installed"
        return 0
    fi
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        log "missing: $missing; installing needs root and apt-get:"
        log "  apt-get install -y --no-install-recommends ${PACKAGES[*]}"
        return 1
    fi
    log "installing ${PACKAGES[*]} (missing: $missing)"
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get update -qq
    timeout 600 apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}"
    missing=$(missing_commands)
    [[ -z $missing ]] || { log "still missing after apt-get: $missing"; return 1; }
}

# pid_alive PIDFILE NAME: the PID in PIDFILE if that process is alive and is NAME.
pid_alive() {
    local pidfile=$1 name=$2 pid
    [[ -r $pidfile ]] || return 1
    pid=$(tr -dc 0-9 <"$pidfile")
    [[ -n $pid && -r /proc/$pid/comm ]] || return 1
    # guard against a recycled PID: the process must still be the daemon
    [[ $(cat "/proc/$pid/comm") == "$name"* ]] || return 1
    echo "$pid"
}

# stop_pidfile PIDFILE NAME: SIGTERM, wait (bounded), SIGKILL.
stop_pidfile() {
    local pidfile=$1 name=$2 pid i
    pid=$(pid_alive "$pidfile" "$name") || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 40; i++)); do
        [[ -e /proc/$pid ]] || return 0
        sleep 0.5
    done
    log "$name (pid $pid) ignored SIGTERM for 20 s; SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.5 s until it succeeds (COMMAND itself
# must be bounded).
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    while ((SECONDS < deadline)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}

munge_works() { timeout 5 munge -n | timeout 5 unmunge; }
node_idle() { [[ $(timeout 5 sinfo -h -o %t 2>/dev/null) == idle ]]; }
no_jobs() { [[ -z $(timeout 5 squeue -h -o %i 2>/dev/null) ]]; }
controller_up() { timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; }

# The state directory of the cluster that wrote the current /etc/slurm/slurm.conf.
conf_state_dir() {
    [[ -r $CONF ]] && sed -n "s|^$MARKER; state: ||p" "$CONF" | head -n1
}

stop_cluster() {
    local dir=$1 ids
    if [[ -e $dir/run/slurmctld.pid ]] && controller_up; then
        ids=$(timeout 10 squeue -h -o %i 2>/dev/null | tr '\n' ' ' || true)
        if [[ -n ${ids// /} ]]; then
            log "cancelling jobs: $ids"
            # shellcheck disable=SC2086  # one argument per job id
            timeout 10 scancel $ids || true
            wait_for 30 no_jobs || log "jobs still listed after 30 s"
        fi
    fi
    stop_pidfile "$dir/run/slurmd.pid" slurmd
    stop_pidfile "$dir/run/slurmctld.pid" slurmctld
    if [[ -e $dir/munge.started ]]; then
        stop_pidfile /run/munge/munged.pid munged
        rm -f "$dir/munge.started"
    fi
    if [[ $(conf_state_dir) == "$dir" ]]; then
        rm -f "$CONF" "$GRES_CONF"
    fi
}

write_config() {
    local dir=$1 host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.85 }' /proc/meminfo)
    mkdir -p "$CONF_DIR"
    cat >"$CONF" <<EOF
$MARKER; state: $dir
ClusterName=ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
ReturnToService=2
MinJobAge=300
GresTypes=gpu
NodeName=$host CPUs=$cpus RealMemory=$mem Gres=gpu:1 NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    cat >"$GRES_CONF" <<EOF
$MARKER; state: $dir
NodeName=$host Name=gpu File=/dev/null
EOF
}

start_munge() {
    local dir=$1
    if munge_works >/dev/null 2>&1; then
        log "munge is already running; using it"
        return 0
    fi
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        runuser -u munge -- mungekey --create
    fi
    runuser -u munge -- /usr/sbin/munged --force
    touch "$dir/munge.started"
    wait_for "$WAIT_S" munge_works || return 1
}

fail_start() {
    local dir=$1 file
    shift
    log "start failed: $*"
    for file in /var/log/munge/munged.log "$dir/log/slurmctld.log" "$dir/log/slurmd.log"; do
        [[ -r $file ]] && { echo "--- tail of $file" >&2; tail -n 20 "$file" >&2; }
    done
    stop_cluster "$dir"
    exit 1
}

do_start() {
    local dir=$1 stale deadline
    [[ $(id -u) -eq 0 ]] || { log "must run as root"; exit 1; }
    [[ -z $(missing_commands) ]] || { log "missing: $(missing_commands); run: $0 install"; exit 1; }
    if [[ -e $CONF ]] && ! grep -q "^$MARKER" "$CONF"; then
        log "$CONF exists and was not written by this script (a real cluster?); not touching it"
        exit 1
    fi
    # A cluster left behind by an interrupted run is stopped first (by its pid files).
    stale=$(conf_state_dir || true)
    if [[ -n $stale ]]; then
        log "stopping the cluster left running in $stale"
        stop_cluster "$stale"
    fi
    mkdir -p "$dir"/{state,spool,run,log}
    write_config "$dir"
    start_munge "$dir" || fail_start "$dir" "munge does not answer"
    ! controller_up ||
        fail_start "$dir" "a slurmctld already answers on this host; stop it by its PID first"
    /usr/sbin/slurmctld -c || fail_start "$dir" "slurmctld did not start"
    /usr/sbin/slurmd || fail_start "$dir" "slurmd did not start"
    deadline=$((SECONDS + WAIT_S))
    until node_idle; do
        pid_alive "$dir/run/slurmctld.pid" slurmctld >/dev/null ||
            fail_start "$dir" "slurmctld exited"
        pid_alive "$dir/run/slurmd.pid" slurmd >/dev/null || fail_start "$dir" "slurmd exited"
        ((SECONDS < deadline)) || fail_start "$dir" "node not idle after ${WAIT_S} s:" \
            "$(timeout 5 sinfo -h -o '%t %E' 2>&1 || true)"
        sleep 0.5
    done
    timeout "$WAIT_S" srun -t 1 -n 1 true || fail_start "$dir" "smoke test 'srun true' failed"
    log "cluster up: $(sinfo -h -o '%P %N %c CPUs %m MB %G %t')"
}

do_status() {
    local dir=$1 name rc=0 pid
    for name in slurmctld slurmd; do
        if pid=$(pid_alive "$dir/run/$name.pid" "$name"); then
            echo "$name: running (pid $pid)"
        else
            echo "$name: not running"
            rc=1
        fi
    done
    timeout 10 sinfo || rc=1
    timeout 10 squeue || rc=1
    return $rc
}

command=${1:-}
case $command in
    install) do_install ;;
    start | stop | status)
        [[ $# -eq 2 ]] || { echo "usage: $0 $command STATE_DIR" >&2; exit 2; }
        [[ $command != start ]] || mkdir -p "$2"
        dir=$(cd "$2" 2>/dev/null && pwd -P || echo "$2")
        case $command in
            start) do_start "$dir" ;;
            stop) stop_cluster "$dir" ;;
            status) do_status "$dir" ;;
        esac
        ;;
    *)
        echo "usage: $0 install | start STATE_DIR | status STATE_DIR | stop STATE_DIR" >&2
        exit 2
        ;;
esac
