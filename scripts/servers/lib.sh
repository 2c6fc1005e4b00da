# Shared by the server scripts: free loopback ports, waiting for a port, stopping by pid file,
# and the watcher that stops a server when the process that started it (the test run) exits.

# Prints a TCP port on 127.0.0.1 that is free now, below Linux's ephemeral range (32768 and up)
# so that no outgoing connection (ours or another test's) takes it before the server binds it.
free_port() {
    python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randrange(20000, 32700)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
PY
}

# wait_for_port PORT SECONDS PIDFILE LOG: waits until something accepts on 127.0.0.1:PORT; fails
# with the server's log if the server exits or the time runs out.
wait_for_port() {
    local port=$1 seconds=$2 pidfile=$3 log=$4
    local deadline=$((SECONDS + seconds))
    while ! python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.5); sys.exit(s.connect_ex(('127.0.0.1', $port)))" 2>/dev/null; do
        if [[ -f "$pidfile" ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "error: the server exited before listening on port $port; its log ($log):" >&2
            tail -n 60 "$log" >&2
            return 1
        fi
        if (( SECONDS >= deadline )); then
            echo "error: nothing listens on 127.0.0.1:$port after ${seconds}s; the server's log ($log):" >&2
            tail -n 60 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
}

# stop_pidfile FILE: stops the process (and its process group) named in FILE, waits for it.
stop_pidfile() {
    local pidfile=$1
    [[ -f "$pidfile" ]] || return 0
    local pid
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

# watch_owner OWNER_PID DIR COMMAND...: once OWNER_PID has exited, runs COMMAND (a stop) and
# removes DIR (the server's data and logs: the run that wanted them is over).
watch_owner() {
    local owner=$1 dir=$2; shift 2
    [[ -n "$owner" ]] || return 0
    ( trap '' HUP; while kill -0 "$owner" 2>/dev/null; do sleep 1; done; "$@"; rm -rf "$dir" ) \
        </dev/null >/dev/null 2>&1 &
    disown
}
