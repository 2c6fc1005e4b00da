#!/usr/bin/env bash
# Evidence for scripts/sanitizers/address.supp: builds a small, correct program with
# -sanitize=address (a live object that was once referenced weakly) and counts LeakSanitizer's
# reports for it.
set -euo pipefail
cd "$(dirname "$0")"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for program in weak-reference; do
    swiftc -sanitize=address "$program.swift" -o "$scratch/$program" 2>/dev/null
    count=$(ASAN_OPTIONS=detect_leaks=1 "$scratch/$program" 2>&1 >/dev/null | grep -c 'leak of' || true)
    echo "$program: $count LeakSanitizer report(s)"
done
