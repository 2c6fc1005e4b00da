#!/usr/bin/env bash
# Regenerates Cuepoint's sample media with the `ffmpeg` program, deterministically:
# running it twice on the same machine (same ffmpeg/x264 build) gives the same bytes.
#
#   SampleMedia/generate.sh                  # rewrite sample.mp4, sample.ts, audio-only.m4a
#   SampleMedia/generate.sh --bench DIR MIN  # write DIR/bench-<MIN>min.mp4 (720p, not committed)
#
# Determinism rules used below: single-threaded libx264 with every rate-control and GOP
# option spelled out, bit-exact flags on format and both codecs (no encoder version
# strings in the container), no metadata copied, fixed lavfi sources.
# products.jsonl and README.md are hand-written and not touched by this script.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FFMPEG="${FFMPEG:-ffmpeg}"

common=(-hide_banner -loglevel error -nostdin -y)
exact=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1 -map_chapters -1)

# Stereo test tone: left 440 Hz with a short 1760 Hz beep every second, right 660 Hz steady.
audio_src() { # $1 = duration in seconds
    echo "sine=frequency=440:beep_factor=4:sample_rate=48000:duration=$1[l];sine=frequency=660:sample_rate=48000:duration=$1[r];[l][r]amerge=inputs=2,aformat=sample_fmts=fltp:channel_layouts=stereo"
}

x264_common="keyint=60:min-keyint=60:scenecut=0:open-gop=0:bframes=3:b-pyramid=normal:b-adapt=1:ref=3:rc-lookahead=30:sliced-threads=0"

usage() {
    echo "usage: $0                      regenerate the committed samples" >&2
    echo "       $0 --bench DIR MINUTES   write DIR/bench-MINUTESmin.mp4 (1280x720 30 fps, ~3 Mbit/s)" >&2
    exit 2
}

generate_samples() {
    local tmp
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' RETURN

    # 20 s, 640x360 30 fps H.264 High with B-frames, GOP exactly 2 s (IDR at 0, 2, 4, ... s),
    # ~200 kbit/s video + AAC-LC stereo 48 kHz 96 kbit/s, moov at the front.
    "$FFMPEG" "${common[@]}" \
        -f lavfi -i "testsrc2=size=640x360:rate=30:duration=20" \
        -f lavfi -i "$(audio_src 20)" \
        -map 0:v:0 -map 1:a:0 -t 20 \
        -c:v libx264 -threads 1 -preset medium -profile:v high -level:v 3.1 -pix_fmt yuv420p \
        -b:v 200k -maxrate 300k -bufsize 600k -x264-params "$x264_common" \
        -c:a aac -profile:a aac_low -b:a 96k -ar 48000 -ac 2 \
        "${exact[@]}" -movflags +faststart \
        "$tmp/sample.mp4"

    # Same packets in MPEG-TS (the mp4toannexb filter is inserted automatically).
    "$FFMPEG" "${common[@]}" -i "$tmp/sample.mp4" -map 0 -c copy \
        "${exact[@]}" -f mpegts "$tmp/sample.ts"

    # The same AAC stream alone.
    "$FFMPEG" "${common[@]}" -i "$tmp/sample.mp4" -map 0:a:0 -c copy \
        "${exact[@]}" -movflags +faststart "$tmp/audio-only.m4a"

    mv -f "$tmp/sample.mp4" "$tmp/sample.ts" "$tmp/audio-only.m4a" "$here/"
    (cd "$here" && sha256sum sample.mp4 sample.ts audio-only.m4a && du -ch sample.mp4 sample.ts audio-only.m4a | tail -1)
}

generate_bench() {
    local dir="$1" minutes="$2"
    [[ "$minutes" =~ ^[1-9][0-9]*$ ]] || { echo "MINUTES must be a positive integer" >&2; exit 2; }
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    local out="$dir/bench-${minutes}min.mp4"
    local chunk="$dir/.bench-chunk-720p-60s.mp4"   # cached between runs
    local list="$dir/.bench-${minutes}min.concat.txt"

    # One minute of 720p video only, encoded once: exactly 1800 frames, closed 2 s GOPs, so
    # copies of it join on a keyframe and video timestamps stay continuous.
    if [[ ! -s "$chunk" ]]; then
        "$FFMPEG" "${common[@]}" \
            -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=60" \
            -map 0:v:0 -frames:v 1800 \
            -c:v libx264 -threads 1 -preset veryfast -profile:v high -pix_fmt yuv420p \
            -b:v 3000k -maxrate 3500k -bufsize 6000k -x264-params "$x264_common" \
            "${exact[@]}" -f mp4 "$chunk.part"
        mv -f "$chunk.part" "$chunk"
    fi

    : > "$list"
    for ((i = 0; i < minutes; i++)); do
        printf "file '%s'\nduration 60\n" "$chunk" >> "$list"
    done

    # Video: the chunk repeated with -c copy (the concat demuxer offsets each copy by exactly
    # 60 s). Audio: one continuous AAC encode over the whole length, so its timestamps have
    # no seams either (concatenating AAC chunks would repeat the encoder priming each minute).
    "$FFMPEG" "${common[@]}" \
        -f concat -safe 0 -i "$list" \
        -f lavfi -i "$(audio_src $((minutes * 60)))" \
        -map 0:v:0 -map 1:a:0 -t $((minutes * 60)) \
        -c:v copy -c:a aac -b:a 128k -ar 48000 -ac 2 \
        "${exact[@]}" -movflags +faststart "$out"
    rm -f "$list"
    echo "$out"
}

case "${1:-}" in
    "") generate_samples ;;
    --bench) [[ $# -eq 3 ]] || usage; generate_bench "$2" "$3" ;;
    *) usage ;;
esac
