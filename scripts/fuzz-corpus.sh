#!/usr/bin/env bash
# Rebuilds the fuzzers' seed corpora (Fuzz/Corpus/) and dictionaries (Fuzz/Dictionaries/) from
# what Cuepoint itself reads and writes on the sample media: Pipelines/, SampleMedia/products.jsonl,
# and a recording and a replay of SampleMedia/ made with the built `cuepoint` (TS and fMP4, with
# markers). The results are small and checked in; run this again when a format changes.
#
#   scripts/fuzz-corpus.sh [CUEPOINT]     (default: .build/debug/cuepoint; needs PyAV for ID3 seeds)
set -euo pipefail
cd "$(dirname "$0")/.."
cuepoint=${1:-.build/debug/cuepoint}
[[ -x "$cuepoint" ]] || { echo "fuzz-corpus: $cuepoint not found; run swift build first" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$cuepoint" segment SampleMedia/sample.ts -o "$scratch/ts" --segment 4s --markers SampleMedia/products.jsonl >/dev/null
"$cuepoint" segment SampleMedia/sample.mp4 -o "$scratch/fmp4" --segment 4s --container fmp4 \
    --markers SampleMedia/products.jsonl >/dev/null
"$cuepoint" replay "$scratch/ts" -o "$scratch/replay" --no-mp4 --no-thumbnails --no-posters --no-storyboard --clips none >/dev/null

python3 - "$scratch" <<'PY'
import glob, hashlib, io, json, os, re, shutil, sys

scratch = sys.argv[1]
corpus = "Fuzz/Corpus"


def seeds(harness, items):
    """Writes each seed (bytes or str) as a file named by its SHA-1, replacing the folder."""
    folder = os.path.join(corpus, harness)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for item in items:
        data = item.encode() if isinstance(item, str) else item
        with open(os.path.join(folder, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print(f"{harness}: {len(items)} seeds")


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


# Pipeline files, YAML and JSON, plus a few refusals.
pipelines = [read(p) for p in sorted(glob.glob("Pipelines/*.yaml") + glob.glob("Pipelines/remux-ts.json"))]
pipelines += [
    "version: 1\nname: x\ninput: { url: in.ts }\noutput: { sgement: 6s }\n",
    '{"version": 1, "name": "j", "input": {"url": "pipe:0", "live": true}, "output": {"container": "fmp4", "part": "0.5s"}}\n',
    "version: 1\nname: ${SHOW}\ninput:\n  url: rtmp://127.0.0.1:1935/live/k\n  listen: true\n  reconnect: { wait: 30s }\n"
    "markers:\n  from:\n    - list:\n        - { id: a, product: P, title: T, start: 1, duration: 2 }\n",
    "a: &a [*a]\n",
]
seeds("FuzzPipelineFile", pipelines)

# Marker lines: the sample file, each of its lines, the recordings' logs.
products = read("SampleMedia/products.jsonl")
lines = [line for line in products.splitlines() if line.strip()]
logs = [read(p) for p in glob.glob(f"{scratch}/*/markers.jsonl")]
seeds("FuzzMarkerLines", [products] + lines[:3] + logs + ['{"id":"x","product":"p","title":"t","start":"now"}\r\n'])
seeds("FuzzMarkerBody", lines + ['{"title":"Mug","url":"https://shop.example/mug"}', '{"end": "now"}',
                                 '{"duration": 30}', '{"end": "2025-03-14T18:00:05Z"}', "", "{}"])

# Playlists of both recordings and the replay.
media = [read(p) for p in sorted(glob.glob(f"{scratch}/*/*/*.m3u8"))]
media.append(
    "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:4\n#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5,"
    "CAN-SKIP-UNTIL=24\n#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:10\n#EXT-X-MAP:URI=\"init.mp4\"\n"
    "#EXT-X-SKIP:SKIPPED-SEGMENTS=2\n#EXT-X-PROGRAM-DATE-TIME:2025-03-14T18:00:08.000Z\n#EXTINF:4.000,\nseg_000012.m4s\n"
    "#EXT-X-PART:DURATION=0.500,URI=\"part_000050.m4s\",INDEPENDENT=YES\n"
    "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part_000051.m4s\"\n"
    "#EXT-X-RENDITION-REPORT:URI=\"../240p/index.m3u8\",LAST-MSN=12,LAST-PART=0\n")
seeds("FuzzMediaPlaylist", media)
seeds("FuzzMultivariantPlaylist", [read(p) for p in sorted(glob.glob(f"{scratch}/*/master.m3u8"))])

# Chapters of the replay.
seeds("FuzzWebVTTChapters", [read(f"{scratch}/replay/chapters.vtt")])
seeds("FuzzChapterDocument", [read(f"{scratch}/replay/chapters.json")])

# JSON documents Cuepoint reads.
documents = [read(p) for p in sorted(glob.glob(f"{scratch}/*/*.json"))] + lines[:2]
seeds("FuzzJSON", documents + ['[1e400, -0.0, "\\ud83d\\ude00", {"a": [true, false, null]}]'])

# emsg boxes of the fMP4 segments: top-level boxes of type emsg.
boxes = []
for path in sorted(glob.glob(f"{scratch}/fmp4/*/*.m4s")):
    data = read(path, "rb")
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset:offset + 4], "big")
        if size < 8:
            break
        if data[offset + 4:offset + 8] == b"emsg":
            boxes.append(data[offset:offset + size])
        offset += size
seeds("FuzzEventMessage", boxes[:4])

# ID3 tags of the TS segments, read with PyAV (Debian's FFmpeg demuxer damages them).
tags = []
try:
    import av
    for path in sorted(glob.glob(f"{scratch}/ts/*/*.ts")):
        with av.open(path) as container:
            data_streams = [s for s in container.streams if s.type == "data"]
            for packet in container.demux(data_streams):
                if packet.size:
                    tags.append(bytes(packet))
except ImportError:
    print("PyAV is missing: ID3 seeds left as they are", file=sys.stderr)
if tags:
    seeds("FuzzID3Tag", tags[:4])

seeds("FuzzRequestPath", [
    "/source/index.m3u8?_HLS_msn=12&_HLS_part=3\nbytes=0-1023\nBearer s3cret-token",
    "/source/live.m3u8?_HLS_msn=12&_HLS_skip=v2\nbytes=-500\nbearer  s3cret-token ",
    "/source/part_000051.m4s\nbytes=100-\n",
    "/%2e%2e/etc/passwd\nbytes=5-1\nBasic abc",
    "/source/..%2fmarkers.jsonl?x=%ZZ\nitems=0-1\n",
    "/MARKERS.JSONL\n\n",
    "/v1/markers/p-1/close?_HLS_part=1\nbytes=0-0,5-9\n",
])

# Dictionaries: HLS tags and attributes, pipeline keys, marker fields.
def dictionary(name, words, note):
    words = sorted(set(words))
    # libFuzzer's dictionary syntax knows only \\, \" and \xNN escapes, and printable ASCII.
    def escape(word):
        out = ""
        for byte in word.encode():
            c = chr(byte)
            out += "\\" + c if c in '\\"' else c if 0x20 <= byte < 0x7F else "\\x%02X" % byte
        return '"' + out + '"'
    escaped = [escape(w) for w in words]
    with open(f"Fuzz/Dictionaries/{name}.dict", "w") as f:
        f.write(f"# {note} (written by scripts/fuzz-corpus.sh)\n" + "\n".join(escaped) + "\n")

hls = set()
for path in glob.glob("Sources/CuepointHLS/*.swift"):
    text = read(path)
    hls |= set(re.findall(r'"(#EXT[A-Z0-9-]*)', text)) | set(re.findall(r'"([A-Z][A-Z0-9-]*[A-Z0-9])"', text))
hls |= {"\n", "\r\n", "=", '"', ",", ":", "YES", "NO", "EVENT", "VOD", "2025-03-14T18:00:00.000Z", "X-COM-CUEPOINT-",
        "0x", "seg_000001.ts", "init.mp4", "part_000001.m4s", "#EXT-X-"}
for name in ["FuzzMediaPlaylist", "FuzzMultivariantPlaylist"]:
    dictionary(name, hls, "HLS tags, attributes and values")
keys = set()
for path in glob.glob("Sources/Cuepoint/Pipeline/PipelineDecoder*.swift"):
    for array in re.findall(r"static let \w*[Kk]eys[^=]*=\s*\[([^\]]*)\]", read(path)):
        keys |= set(re.findall(r'"([a-z_]+)"', array))
dictionary("FuzzPipelineFile", keys | {": ", "\n  ", "- ", "${", "}", "6s", "0.5s", "true", "fmp4", "ts", "copy"},
           "pipeline keys and YAML punctuation")
fields = ["id", "product", "title", "url", "price", "currency", "image", "attributes", "start", "duration", "end",
          "now", "event", "add", "close", "received", "marker", "\\u0000", "\\ud800", "1e308", "2025-03-14T18:00:00Z"]
for name in ["FuzzMarkerLines", "FuzzMarkerBody"]:
    dictionary(name, fields, "marker fields and values")
PY
echo "fuzz-corpus: done; review with git status Fuzz/" >&2
