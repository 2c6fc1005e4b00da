import CuepointFFmpeg
import CuepointTime

// MARK: - Cutting on decoded frames
//
// When every rendition is encoded (no copy rendition fixes the input's keyframes as the only
// places to cut), the session cuts on the decoded frames instead of the input's packets: the
// transcoder's decoder hands each video frame here, in presentation order, before any encoder
// sees it, and the answer says whether the encoders must make it an IDR picture. Any frame can
// start a segment, so segments follow the grid exactly; a change of the picture size starts a
// segment with EXT-X-DISCONTINUITY (the renditions keep their sizes; the encoders' input changes).

/// Watches the picture size of decoded frames. Pure.
struct FrameGeometry: Equatable {
    /// The size of the last frame seen (`1280x720`); nil before the first.
    private(set) var current: String?
    /// A size change was seen; the next cut carries the discontinuity.
    private(set) var breakPending = false

    /// A frame of `width`×`height`: returns the sizes when they changed while a segment is open
    /// (the caller asks for a segment boundary at the frame).
    mutating func frame(width: Int, height: Int, segmentOpen: Bool) -> (from: String, to: String)? {
        let size = "\(width)x\(height)"
        defer { current = size }
        guard let previous = current, previous != size, segmentOpen else { return nil }
        breakPending = true
        return (previous, size)
    }

    /// A segment was cut: whether it starts after a size change (EXT-X-DISCONTINUITY).
    mutating func takeBreak() -> Bool {
        defer { breakPending = false }
        return breakPending
    }
}

extension RecordingSession {
    /// Cutting on decoded frames: the cut rule applied to each frame in presentation order
    /// (every frame may start a segment); returns whether the frame must be an IDR picture.
    func cut(on frame: Frame, stream: StreamInfo) throws -> SourceDecoder.FrameDecision {
        guard let ticks = frame.pts ?? frame.bestEffortTimestamp else {
            warnings.count("decoded frames without timestamps were dropped")
            return .skip
        }
        let pts = MediaTime(ticks: ticks, timeBase: stream.timeBase)
        if let change = frameGeometry.frame(width: frame.width, height: frame.height, segmentOpen: openSegment != nil) {
            warnings.add(
                "the input's pictures change from \(change.from) to \(change.to) at "
                    + "\(SecondsText.format(milliseconds: latestMediaMilliseconds)); the transcoded renditions keep their "
                    + "sizes and start a segment there with EXT-X-DISCONTINUITY")
            cutter.requestBoundary(at: pts)
        }
        var forced = false
        switch cutter.feed(time: pts, isCutCandidate: true) {
        case .drop:
            return .skip
        case .open:
            beginEpoch(origin: pts)
            try open(start: pts)
            forced = true
        case .cut:
            try close(end: pts)
            geometryBreak = frameGeometry.takeBreak()
            try open(start: pts)
            forced = true
        case .append:
            // Not later than the segment's start (a repeated timestamp): the encoder drops it.
            break
        }
        try writeDueMarkers(at: pts)
        transcoder?.advance(to: pts)
        let duration = MediaTime(ticks: frame.duration > 0 ? frame.duration : defaultDuration(stream), timeBase: stream.timeBase)
        wrote(until: pts + duration)
        extendSegment(to: pts + duration)
        return .encode(forceKeyframe: forced)
    }
}
