import CuepointHLS
import CuepointTime
import Dispatch

/// The LL-HLS step of the per-packet loop: asks the `PartCutter` where parts end, has every
/// rendition flush its open part (`RenditionOutput.cutPart()`: one `moof`+`mdat`), and hands the
/// parts to the ``PartStore`` the server answers from. Owned by the session's thread.
///
/// Renditions are cut alike (a copy pipeline writes the same packets to each), so part `k` of
/// segment `n` covers the same media in every rendition.
///
/// Part time is decoding time: a part holds the frames whose dts lie in its span, shifted by the
/// segment's first keyframe's pts − dts (the reorder delay of B-frames), so the first part starts
/// and the last ends on the segment's presentation boundaries and a segment's parts add up to its
/// EXTINF. Presentation times would not do: with B-frames a P-frame presents several frames after
/// it is decoded, so the frames written so far do not cover one span of presentation time.
///
/// Parts are numbered across segments (`part_000042.m4s`), so the next part's URI is known before
/// anyone knows which segment it will belong to: the preload hint always comes true.
final class PartSegmenter {
    let store: PartStore
    private var cutter: PartCutter
    private var sequence: Int64 = 0
    private var nextIndex = 0
    /// The number of the next part, counted across segments (its URI).
    private var nextNumber: Int64 = 1
    /// The segment's first keyframe's pts − dts, in ms: decoding time + shift = presentation time.
    private var shift: Int64 = 0
    /// Whether the open part starts with a keyframe (INDEPENDENT=YES).
    private var openIsIndependent = true

    init(store: PartStore) {
        self.store = store
        self.cutter = PartCutter(targetMilliseconds: store.partTargetMilliseconds)
    }

    /// A segment opened at `start` (ms of the epoch) in every output; its first part starts there,
    /// with a keyframe (or, audio-only, with any packet).
    func segmentOpened(
        sequence: Int64, start: Int64, decodeStart: Int64, outputs: [any SegmentOutput], discontinuity: Bool,
        programDateTime: WallClockTime
    ) {
        self.sequence = sequence
        shift = start - decodeStart
        cutter.segmentOpened(at: start)
        nextIndex = 0
        openIsIndependent = true
        for output in outputs {
            store.segmentOpened(
                rendition: output.name, sequence: sequence, discontinuity: discontinuity,
                map: output.initURI.map { MediaInitializationSection(uri: $0) }, programDateTime: programDateTime)
        }
    }

    /// A cut-stream frame about to be written into the open segment (not one that opens a
    /// segment): closes the open part first when the frame would make it longer than the target.
    ///
    /// - Parameters:
    ///   - decodeStart: the frame's dts, in ms of the epoch; `duration`: its duration in ms.
    ///   - isKeyframe: a part starting at it is INDEPENDENT.
    func frame(decodeStart: Int64, duration: Int64, isKeyframe: Bool, outputs: [any SegmentOutput]) throws {
        let partStart = cutter.partStart
        let start = decodeStart + shift
        guard case .cut(let partEnd) = cutter.feed(start: start, end: start + duration, isCandidate: true),
            let partStart
        else { return }
        try cut(duration: partEnd - partStart, outputs: outputs)
        openIsIndependent = isKeyframe
    }

    /// The open segment closes at `end` (ms of the epoch): its last part is cut.
    func segmentClosing(end: Int64, outputs: [any SegmentOutput]) throws {
        guard let partStart = cutter.segmentClosing() else { return }
        try cut(duration: max(end - partStart, 0), outputs: outputs)
    }

    private func cut(duration: Int64, outputs: [any SegmentOutput]) throws {
        let index = nextIndex
        nextIndex += 1
        let number = nextNumber
        nextNumber += 1
        for output in outputs {
            let bytes = try output.cutPart()
            store.partCompleted(
                rendition: output.name,
                PartStore.Part(
                    sequence: sequence, index: index, number: number, uri: RecordingLayout.part(number: number),
                    durationMilliseconds: duration, independent: openIsIndependent, bytes: bytes,
                    completedAt: DispatchTime.now().uptimeNanoseconds))
        }
    }
}
