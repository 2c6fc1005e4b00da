#!/usr/bin/env bash
# An HTTP origin that takes PUT and DELETE (nginx's WebDAV module, in Debian's nginx), on
# loopback, for tests.
#
#   nginx-dav.sh start DIR PORT [OWNER_PID]
#       Serves DIR/root on 127.0.0.1:PORT: GET reads, PUT writes (creating directories), DELETE
#       removes. With $ORIGIN_TEST_AUTHORIZATION set, every request must carry exactly that
#       Authorization header value (401 otherwise). Prints "ready http://127.0.0.1:PORT".
#       With OWNER_PID, nginx is stopped and DIR removed when that
#       process exits.
#   nginx-dav.sh stop DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command=${1:?usage: nginx-dav.sh start DIR PORT [OWNER_PID] | stop DIR}
dir=$(mkdir -p "${2:?the server directory}" && cd "$2" && pwd)

case "$command" in
start)
    port=${3:?the port}
    owner=${4:-}
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
    [[ -x "$nginx" ]] || { echo "error: nginx is not installed; run scripts/setup.sh --test" >&2; exit 1; }
    mkdir -p "$dir/root" "$dir/tmp" "$dir/logs"
    auth_check=""
    if [[ -n "${ORIGIN_TEST_AUTHORIZATION:-}" ]]; then
        auth_check="if (\$http_authorization != \"$ORIGIN_TEST_AUTHORIZATION\") { return 401; }"
    fi
    # As root, nginx's workers would switch to `nobody`, who cannot write in DIR: keep them root.
    user_line=""
    [[ $(id -u) -eq 0 ]] && user_line="user root;"
    cat > "$dir/nginx.conf" <<CONF
$user_line
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 256; }
http {
    access_log $dir/logs/access.log;
    client_body_temp_path $dir/tmp;
    proxy_temp_path $dir/tmp;
    fastcgi_temp_path $dir/tmp;
    uwsgi_temp_path $dir/tmp;
    scgi_temp_path $dir/tmp;
    client_max_body_size 0;
    types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; video/iso.segment m4s; video/mp4 mp4; }
    server {
        listen 127.0.0.1:$port;
        root $dir/root;
        location / {
            $auth_check
            dav_methods PUT DELETE;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }
    }
}
CONF
    "$nginx" -c "$dir/nginx.conf" -e "$dir/logs/error.log" >>"$dir/logs/stderr.log" 2>&1 </dev/null &
    echo $! > "$dir/pid"
    watch_owner "$owner" "$dir" "$0" stop "$dir"
    wait_for_port "$port" 20 "$dir/pid" "$dir/logs/error.log"
    echo "ready http://127.0.0.1:$port"
    ;;
stop)
    stop_pidfile "$dir/pid"
    ;;
*)
    echo "usage: nginx-dav.sh start DIR PORT [OWNER_PID] | stop DIR" >&2
    exit 2
    ;;
esac
