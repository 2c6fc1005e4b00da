import CuepointHLS
import CuepointTime
import Dispatch

/// The LL-HLS step of the per-packet loop: asks the `PartCutter` where parts end, has every
/// rendition flush its open part (`RenditionOutput.cutPart()`: one `moof`+`mdat`), and hands the
/// parts to the ``PartStore`` the server answers from. Owned by the session's thread.
///
/// Renditions are cut alike (a copy pipeline writes the same packets to each), so part `k` of
/// segment `n` covers the same media in every rendition.
final class PartSegmenter {
    let store: PartStore
    private var cutter: PartCutter
    private var sequence: Int64 = 0
    private var segmentURIs: [String: String] = [:]
    private var nextIndex = 0
    /// Whether the open part starts with a keyframe (INDEPENDENT=YES).
    private var openIsIndependent = true

    init(store: PartStore) {
        self.store = store
        self.cutter = PartCutter(targetMilliseconds: store.partTargetMilliseconds)
    }

    /// A segment opened at `start` (ms of the epoch) in every output; its first part starts there,
    /// with a keyframe (or, audio-only, with any packet).
    func segmentOpened(
        sequence: Int64, start: Int64, outputs: [RenditionOutput], discontinuity: Bool, programDateTime: WallClockTime
    ) {
        self.sequence = sequence
        cutter.segmentOpened(at: start)
        nextIndex = 0
        openIsIndependent = true
        for output in outputs {
            segmentURIs[output.name] = output.segmentName(sequence)
            store.segmentOpened(
                rendition: output.name, sequence: sequence, discontinuity: discontinuity,
                map: output.initURI.map { MediaInitializationSection(uri: $0) }, programDateTime: programDateTime)
        }
    }

    /// A cut-stream frame about to be written into the open segment (not one that opens a
    /// segment): closes the open part first when the frame would make it longer than the target.
    ///
    /// - Parameters:
    ///   - start: the frame's pts, in ms of the epoch; `end`: its pts + duration.
    ///   - isCandidate: a part may start at it (a video frame; any packet of an audio-only rendition).
    ///   - isKeyframe: a part starting at it is INDEPENDENT.
    func frame(start: Int64, end: Int64, isCandidate: Bool, isKeyframe: Bool, outputs: [RenditionOutput]) throws {
        let partStart = cutter.partStart
        guard case .cut(let partEnd) = cutter.feed(start: start, end: end, isCandidate: isCandidate),
            let partStart
        else { return }
        try cut(duration: partEnd - partStart, outputs: outputs)
        openIsIndependent = isKeyframe
    }

    /// The open segment closes at `end` (ms of the epoch): its last part is cut.
    func segmentClosing(end: Int64, outputs: [RenditionOutput]) throws {
        guard let partStart = cutter.segmentClosing() else { return }
        try cut(duration: max(end - partStart, 0), outputs: outputs)
    }

    private func cut(duration: Int64, outputs: [RenditionOutput]) throws {
        let index = nextIndex
        nextIndex += 1
        for output in outputs {
            let bytes = try output.cutPart()
            let segmentURI = segmentURIs[output.name] ?? output.segmentName(sequence)
            store.partCompleted(
                rendition: output.name,
                PartStore.Part(
                    sequence: sequence, index: index, uri: PartStore.partURI(segmentURI: segmentURI, index: index),
                    durationMilliseconds: duration, independent: openIsIndependent, bytes: bytes,
                    completedAt: DispatchTime.now().uptimeNanoseconds))
        }
    }
}
