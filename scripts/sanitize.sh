#!/usr/bin/env bash
# The test suite under a sanitizer: ThreadSanitizer (data races, lock order) or AddressSanitizer
# (with LeakSanitizer: out-of-bounds, use after free, leaks).
#
#   scripts/sanitize.sh thread|address [FILTER…]
#
# Builds the package and its tests with `--sanitize=KIND` in a scratch folder of its own
# (.build-sanitize-KIND, so the normal .build is untouched), then runs `swift test` with the
# FILTERs (all tests when none). Every process the tests start from that build (the `cuepoint`
# program too) writes its reports to .build-sanitize-KIND/reports/; the script prints them and
# exits 1 when there is any, 0 when there is none. Reports from code that is not Cuepoint's
# (FFmpeg, x264, the toolchain) are suppressed only by name in scripts/sanitizers/KIND.supp,
# each with the evidence for it.
#
# Slow: a sanitized build takes as long as a first build, and the tests run 2-10 times slower.
# CI does not run it (scripts/test.sh stays within its time); run it before a release, or with a
# FILTER for the part you changed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

kind=${1:-}
case "$kind" in
    thread | address) shift ;;
    *) echo "usage: scripts/sanitize.sh thread|address [FILTER…]" >&2; exit 2 ;;
esac

scratch=$root/.build-sanitize-$kind
reports=$scratch/reports
rm -rf "$reports"
mkdir -p "$reports"
suppressions=$root/scripts/sanitizers/$kind.supp

# Reports go to files (one per process: report.PID), so those of child processes count too.
export SWIFT_BACKTRACE=enable=no
case "$kind" in
    thread)
        export TSAN_OPTIONS="log_path=$reports/report:halt_on_error=0:second_deadlock_stack=1:history_size=4${TSAN_EXTRA:+:$TSAN_EXTRA}"
        [[ -s "$suppressions" ]] && TSAN_OPTIONS+=":suppressions=$suppressions"
        ;;
    address)
        export ASAN_OPTIONS="log_path=$reports/report:detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=0${ASAN_EXTRA:+:$ASAN_EXTRA}"
        export LSAN_OPTIONS="${suppressions:+suppressions=$suppressions}"
        [[ -s "$suppressions" ]] || unset LSAN_OPTIONS
        ;;
esac

flags=(--sanitize="$kind" --scratch-path "$scratch")
echo "sanitize: building with ${flags[*]}" >&2
swift build --build-tests "${flags[@]}" >&2

filters=()
for filter in "$@"; do filters+=(--filter "$filter"); done
# Left out, and said: the clock-skew test runs the sanitized `cuepoint` under libfaketime, whose
# LD_PRELOAD calls malloc while the sanitizer's runtime starts; the process then waits forever on
# the sanitizer allocator's own lock (seen with gdb: FutexWait in GetFromAllocator, one thread).
skipped=(PublishBadInputTests/skewedClock)
echo "sanitize: left out (libfaketime deadlocks a sanitized process at start): ${skipped[*]}" >&2
skips=()
for test in "${skipped[@]}"; do skips+=(--skip "$test"); done
swift test --skip-build "${flags[@]}" "${filters[@]}" "${skips[@]}" >"$scratch/test.log" 2>&1 || true
grep -E '^✘|Test run|Executed' "$scratch/test.log" | tail -20 || true
tests_failed=0
grep -q '^✘ Test run' "$scratch/test.log" && tests_failed=1
# A run the sanitizer stopped (halt_on_error) prints no summary at all: that is a failure too.
grep -q 'Test run with' "$scratch/test.log" || { tests_failed=1; echo "sanitize: the test run did not finish (stopped by a report?)" >&2; }

count=0
for report in "$reports"/report.*; do
    [[ -e "$report" ]] || continue
    # A report file that holds only suppressed findings is empty or says so.
    grep -q 'WARNING: ThreadSanitizer\|ERROR: AddressSanitizer\|ERROR: LeakSanitizer' "$report" || continue
    count=$((count + 1))
    echo "=== $report"
    grep -E 'WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer|SUMMARY' "$report" | sort | uniq -c
done
echo "sanitize ($kind): $count process(es) reported; test failures: $tests_failed; full reports in $reports"
[[ $count -eq 0 && $tests_failed -eq 0 ]] || exit 1
