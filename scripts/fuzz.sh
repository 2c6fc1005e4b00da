#!/usr/bin/env bash
# Coverage-guided fuzzing of Cuepoint's parsers with libFuzzer (the Fuzz/ package).
#
#   scripts/fuzz.sh [SECONDS] [HARNESS…]
#
# Builds every harness of Fuzz/ with `-sanitize=fuzzer,address` (AddressSanitizer and
# LeakSanitizer on), then runs each for SECONDS (default 60) on its checked-in seeds
# (Fuzz/Corpus/<harness>) plus what earlier runs found (Fuzz/.work/<harness>, not committed).
# A crash, a sanitizer report, a leak, a failed property or an input slower than 10 s is a
# finding: libFuzzer writes the input to Fuzz/findings/<harness>/{crash,leak,timeout,oom}-<sha1>,
# and this script prints each with the command that replays it. Exit status 1 when anything was
# found, 0 otherwise.
#
# Environment: FUZZ_JOBS (parallel harnesses, default 1), FUZZ_SCRATCH (build folder).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds=${1:-60}
[[ $# -gt 0 ]] && shift
if [[ $# -gt 0 ]]; then
    harnesses=("$@")
else
    harnesses=()
    for folder in Fuzz/Sources/Fuzz*/; do
        name=$(basename "$folder")
        [[ "$name" == FuzzSupport ]] || harnesses+=("$name")
    done
fi

scratch=${FUZZ_SCRATCH:-$root/Fuzz/.build}
flags=(--package-path Fuzz --scratch-path "$scratch" -c debug -Xswiftc -sanitize=fuzzer,address)
echo "fuzz: building ${#harnesses[@]} harnesses (swift build ${flags[*]})" >&2
mkdir -p Fuzz/.work
if ! swift build "${flags[@]}" >Fuzz/.work/build.log 2>&1; then
    grep -E 'error:' Fuzz/.work/build.log >&2 || tail -30 Fuzz/.work/build.log >&2
    echo "fuzz: the harnesses do not build (Fuzz/.work/build.log)" >&2
    exit 2
fi
bin=$(swift build "${flags[@]}" --show-bin-path)

# ASan: report leaks, stop at the first error; FFmpeg is not linked by the parser harnesses.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
# Swift's own crash backtracer reads the stack in a way ASan reports as an underflow: off.
export SWIFT_BACKTRACE=enable=no

run_one() {
    local name=$1
    local work="Fuzz/.work/$name" findings="Fuzz/findings/$name" log="Fuzz/.work/$name.log"
    # Findings of an earlier run were reported then; this run reports its own.
    rm -rf "$findings"
    mkdir -p "$work" "$findings"
    local dictionary=()
    [[ -f "Fuzz/Dictionaries/$name.dict" ]] && dictionary=(-dict="Fuzz/Dictionaries/$name.dict")
    # -timeout: one input slower than 10 s is a hang; -rss_limit_mb: memory growth is a finding.
    "$bin/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$findings/" "${dictionary[@]}" "$work" "Fuzz/Corpus/$name" >"$log" 2>&1 || true
    local runs corpus
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    corpus=$(ls "$work" | wc -l)
    local found
    found=$(ls "$findings" 2>/dev/null | wc -l)
    # A harness that stopped before fuzzing (a bad dictionary, a bad flag) must not pass silently.
    if [[ "$runs" == "?" && "$found" == 0 ]]; then
        cp "$log" "$findings/did-not-run.log"
        found=1
    fi
    printf '%-26s %10s runs  %6s inputs in the working corpus  %s finding(s)\n' "$name" "$runs" "$corpus" "$found"
}

jobs=${FUZZ_JOBS:-1}
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
running=0
for name in "${harnesses[@]}"; do
    [[ -x "$bin/$name" ]] || { echo "fuzz: no harness named $name in Fuzz/Sources" >&2; exit 2; }
    run_one "$name" >>"$summary" &
    running=$((running + 1))
    if [[ $running -ge $jobs ]]; then wait -n; running=$((running - 1)); fi
done
wait
sort "$summary"

status=0
for name in "${harnesses[@]}"; do
    for artifact in Fuzz/findings/"$name"/*; do
        [[ -e "$artifact" ]] || continue
        status=1
        echo "FINDING $name: $artifact"
        echo "  replay: $bin/$name $artifact"
        echo "  log:    Fuzz/.work/$name.log"
    done
done
[[ $status -eq 0 ]] && echo "fuzz: no crash, hang, leak or property failure in ${seconds} s per harness"
exit $status
