#!/usr/bin/env bash
# Evidence for scripts/sanitizers/address.supp: builds a small, correct program with
# -sanitize=address and counts LeakSanitizer's reports for each: a live object that was once
# referenced weakly, and an empty file read with Foundation (which does leak: Cuepoint's
# FileContents does not read empty files).
set -euo pipefail
cd "$(dirname "$0")"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
: >"$scratch/empty"
for program in weak-reference empty-file; do
    swiftc -sanitize=address "$program.swift" -o "$scratch/$program" 2>/dev/null
    count=$(ASAN_OPTIONS=detect_leaks=1 "$scratch/$program" "$scratch/empty" 2>&1 >/dev/null | grep -c 'leak of' || true)
    echo "$program: $count LeakSanitizer report(s)"
done
