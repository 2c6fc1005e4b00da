import CuepointFFmpeg
import CuepointHLS
import CuepointTime

// MARK: - A live input's connections, reconnects and resumes
//
// A live input arrives (its first packet's wall clock anchors the next epoch), may drop and come
// back (the epoch ends; a new source starts the next one after EXT-X-DISCONTINUITY, its streams
// replacing the old, its timestamps shifted past what was written), and a restarted process may
// resume an unfinished recording (as after a reconnect, from what `RecordingResume` read back).
// The ``Timeline`` keeps the time side of all three; this is the session's side.

extension RecordingSession {
    // MARK: Live inputs

    /// A live input's first packet arrived at `wallClock` (before the demuxer buffered its
    /// stream parameters): the next epoch's PROGRAM-DATE-TIME is taken from it.
    func inputStarted(arrivedAt wallClock: WallClockTime) {
        timeline.inputArrived(at: wallClock)
    }

    /// The live input dropped but the recording goes on: the open segment closes and the epoch
    /// ends; the playlists stay published and unfinished.
    func inputEnded() throws {
        try endEpoch()
    }

    /// A new input continues the recording (a publisher reconnected, or a restarted process
    /// resumed it): its streams replace the old ones (their indexes and time bases may differ),
    /// and its first keyframe starts a new epoch: EXT-X-DISCONTINUITY, a fresh
    /// PROGRAM-DATE-TIME, media sequence numbers continuing. Call after ``inputEnded()``.
    ///
    /// - Throws: `CuepointError` when the transcoded renditions cannot be made from the new input.
    func inputRestarted(cutStream: StreamInfo, streams: [StreamInfo], arrivedAt wallClock: WallClockTime) throws {
        try transcoder?.replaceInput(streams: streams)
        self.cutStream = cutStream.index
        self.streams = Dictionary(uniqueKeysWithValues: streams.map { ($0.index, $0) })
        for output in outputs { output.replaceStreams(streams, metadataTimeBase: cutStream.timeBase) }
        timestampGuard = TimestampGuard()
        announcedShift = 0
        cutter.startNewEpoch()
        pendingDiscontinuity = true
        timeline.inputRestarted(arrivedAt: wallClock)
    }

    /// Continues a live recording that an earlier process left unfinished (``RecordingResume``),
    /// as after a reconnect: segment files are numbered from `nextSequence`, recording time goes
    /// on from `recordedMilliseconds`, and the first epoch of this process is a new one
    /// (EXT-X-DISCONTINUITY, PROGRAM-DATE-TIME from the wall clock but never before
    /// `lastEpoch`'s end). Call before the first packet.
    ///
    /// - Parameter lastEpoch: the wall clock of the last published segment and its recording
    ///   time, in milliseconds; stands for the earlier process's last epoch.
    /// - Parameter mediaEndMilliseconds: the latest presentation end in the last segment; the
    ///   new input's timestamps are moved to continue after it, as after a reconnect.
    func resume(
        nextSequence: Int64, recordedMilliseconds: Int64,
        lastEpoch: (wallClock: WallClockTime, recordingOffsetMilliseconds: Int64), mediaEndMilliseconds: Int64?
    ) {
        self.nextSequence = nextSequence
        timeline.resume(
            recordedMilliseconds: recordedMilliseconds, lastSegment: (lastEpoch.wallClock, lastEpoch.recordingOffsetMilliseconds),
            mediaEndMilliseconds: mediaEndMilliseconds)
        pendingDiscontinuity = true
    }

    /// Moves a restarted input's timestamps past what was written (see ``Timeline``).
    func shiftRestartedInput<Unit: MediaUnit>(_ packet: Unit, stream: StreamInfo) {
        let first = (packet.dts ?? packet.pts).map { MediaTime(ticks: $0, timeBase: stream.timeBase) }
        let shift = timeline.shiftMilliseconds(forPacketAt: first)
        if shift != announcedShift {
            announcedShift = shift
            for output in outputs { output.inputShifted(by: .milliseconds(shift)) }
        }
        guard shift != 0 else { return }
        let ticks = MediaTime.milliseconds(shift).rescaled(to: stream.timeBase).ticks
        packet.pts = packet.pts.map { $0 + ticks }
        packet.dts = packet.dts.map { $0 + ticks }
    }
}
