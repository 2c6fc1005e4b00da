#!/usr/bin/env bash
# A one-node Ceph cluster with the RADOS gateway (S3) on loopback, for tests (installed by
# `scripts/setup.sh --test`: apt radosgw ceph-mon ceph-osd). The strictest S3 server that runs
# here: it refuses a missing or wrong x-amz-content-sha256 and chunked PUTs without a length.
#
#   ceph-rgw.sh start DIR RGW_PORT BUCKET [OWNER_PID]
#       Creates (first time) and starts a monitor, one memstore OSD (pools of size 1) and
#       radosgw with `beast endpoint=127.0.0.1:RGW_PORT`, all under DIR (config, data, logs,
#       sockets: nothing in /etc or /var). Creates an S3 user with access key
#       $S3_TEST_ACCESS_KEY and secret $S3_TEST_SECRET_KEY (defaults below) and the bucket, whose
#       objects anyone may read (a bucket policy: players read from the store's HTTP endpoint).
#       The placement has the storage classes STANDARD and STANDARD_IA. Buckets answer path-style
#       (127.0.0.1:RGW_PORT/BUCKET) and virtual-host style (BUCKET.localhost:RGW_PORT: rgw dns name).
#       Prints "ready http://127.0.0.1:RGW_PORT". With OWNER_PID, everything is stopped and DIR
#       removed when that process exits. Takes about 12 s on two cores.
#   ceph-rgw.sh stop DIR
set -euo pipefail
source "$(dirname "$0")/lib.sh"

command=${1:?usage: ceph-rgw.sh start DIR RGW_PORT BUCKET [OWNER_PID] | stop DIR}
dir=$(mkdir -p "${2:?the server directory}" && cd "$2" && pwd)
access_key=${S3_TEST_ACCESS_KEY:-cuepointtest}
secret_key=${S3_TEST_SECRET_KEY:-cuepoint-test-secret-key}
conf="$dir/ceph.conf"

stop_all() {
    stop_pidfile "$dir/rgw.pid"
    stop_pidfile "$dir/osd.pid"
    stop_pidfile "$dir/mon.pid"
}

case "$command" in
start)
    port=${3:?the RGW port}
    bucket=${4:?the bucket}
    owner=${5:-}
    for program in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph; do
        command -v "$program" >/dev/null || {
            echo "error: $program is not installed; run scripts/setup.sh --test (apt radosgw ceph-mon ceph-osd)" >&2
            exit 1
        }
    done
    mon_port=$(free_port)
    fsid=$(python3 -c 'import uuid; print(uuid.uuid4())')
    mkdir -p "$dir/mon" "$dir/osd" "$dir/run" "$dir/log"
    cat > "$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
log to stderr = false
err to stderr = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = 1073741824
osd data = $dir/osd
mon data = $dir/mon
keyring = $dir/keyring
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
rgw dns name = localhost
rgw enable usage log = false
CONF
    # One keyring for every daemon; the monitor imports all of its keys when it is created.
    ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
    ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' \
        --cap mgr 'allow *' >/dev/null
    ceph-authtool "$dir/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' >/dev/null
    ceph-authtool "$dir/keyring" --gen-key -n client.rgw --cap mon 'allow rw' --cap osd 'allow rwx' >/dev/null
    monmaptool --create --add a "v2:127.0.0.1:$mon_port" --fsid "$fsid" "$dir/monmap" >/dev/null
    ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" 2>>"$dir/log/setup.log"
    ceph-mon -c "$conf" -i a -f >>"$dir/log/mon.out" 2>&1 </dev/null &
    echo $! > "$dir/mon.pid"
    watch_owner "$owner" "$dir" "$0" stop "$dir"
    wait_for_port "$mon_port" 30 "$dir/mon.pid" "$dir/log/mon.a.log"
    ceph -c "$conf" osd create >/dev/null 2>>"$dir/log/setup.log"
    ceph-osd -c "$conf" -i 0 --mkfs 2>>"$dir/log/setup.log" >/dev/null
    ceph-osd -c "$conf" -i 0 -f >>"$dir/log/osd.out" 2>&1 </dev/null &
    echo $! > "$dir/osd.pid"
    radosgw -c "$conf" -n client.rgw -f >>"$dir/log/rgw.out" 2>&1 </dev/null &
    echo $! > "$dir/rgw.pid"
    wait_for_port "$port" 90 "$dir/rgw.pid" "$dir/log/client.rgw.log"
    # A second storage class besides STANDARD, as AWS has (uploads name it in x-amz-storage-class;
    # RGW refuses a class its placement does not define). The default zone exists once radosgw
    # has run; radosgw reads the new placement when it starts again.
    radosgw-admin -c "$conf" -n client.rgw zonegroup placement add --rgw-zonegroup default \
        --placement-id default-placement --storage-class STANDARD_IA >/dev/null 2>>"$dir/log/setup.log"
    radosgw-admin -c "$conf" -n client.rgw zone placement add --rgw-zone default \
        --placement-id default-placement --storage-class STANDARD_IA \
        --data-pool default.rgw.standard-ia.data >/dev/null 2>>"$dir/log/setup.log"
    stop_pidfile "$dir/rgw.pid"
    radosgw -c "$conf" -n client.rgw -f >>"$dir/log/rgw.out" 2>&1 </dev/null &
    echo $! > "$dir/rgw.pid"
    wait_for_port "$port" 90 "$dir/rgw.pid" "$dir/log/client.rgw.log"
    radosgw-admin -c "$conf" -n client.rgw user create --uid=cuepoint --display-name=cuepoint \
        --access-key="$access_key" --secret="$secret_key" >/dev/null 2>>"$dir/log/setup.log"
    python3 - "$port" "$bucket" "$access_key" "$secret_key" <<'PY' 2>>"$dir/log/setup.log" || { tail -n 30 "$dir/log/setup.log" >&2; exit 1; }
import sys, boto3
port, bucket, key, secret = sys.argv[1:]
s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", aws_access_key_id=key,
                  aws_secret_access_key=secret, region_name="us-east-1")
try:
    s3.create_bucket(Bucket=bucket)
except s3.exceptions.BucketAlreadyOwnedByYou:
    pass  # a restart on the same directory
# Objects are public to read, as behind a CDN: players in the tests read from the store's own
# HTTP endpoint without signing. Listing, writing and deleting still need the key.
import json
s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"], "Resource": [f"arn:aws:s3:::{bucket}/*"]}]}))
PY
    echo "ready http://127.0.0.1:$port"
    ;;
stop)
    stop_all
    ;;
*)
    echo "usage: ceph-rgw.sh start DIR RGW_PORT BUCKET [OWNER_PID] | stop DIR" >&2
    exit 2
    ;;
esac
