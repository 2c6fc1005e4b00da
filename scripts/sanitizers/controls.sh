#!/usr/bin/env bash
# Evidence for docs/reliability.md ("Sanitizers"): builds two small, correct programs with
# -sanitize=thread, two threads contending for a lock, one with Synchronization.Mutex and one
# with NSLock, and a buffer handed from a thread to a task through a checked continuation, and
# counts ThreadSanitizer's warnings for each.
set -euo pipefail
cd "$(dirname "$0")"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for program in mutex-contended nslock-contended continuation-handoff; do
    swiftc -sanitize=thread "$program.swift" -o "$scratch/$program"
    mkdir -p "$scratch/$program-reports"
    TSAN_OPTIONS="log_path=$scratch/$program-reports/report:halt_on_error=0" "$scratch/$program" >/dev/null || true
    count=$(cat "$scratch/$program-reports"/* 2>/dev/null | grep -c 'WARNING: ThreadSanitizer' || true)
    echo "$program: $count ThreadSanitizer warning(s)"
done
