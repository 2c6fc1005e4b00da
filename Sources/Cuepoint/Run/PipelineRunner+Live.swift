import CuepointFFmpeg
import CuepointTime
import Foundation

// MARK: - Live inputs: waiting for the publisher, drops, reconnects
//
// A live network input (RTMP/SRT/UDP, or any live input with `reconnect:`) runs as a loop of
// *connections* around the read loop:
//
//     wait for a source ──accepted──► read until it drops ──► end the epoch ──► wait ≤ reconnect.wait
//          ▲    │refused (wrong key, garbage, stalled handshake): warn, keep waiting      │
//          │    └ stop(): finish with nothing or what was recorded                          │
//          └───────────────────── a new source: new epoch (EXT-X-DISCONTINUITY) ◄───────────┘
//
// A drop is the end of the input (EOF), or a read that failed with a connection error or the
// read timeout (`input.timeout`). Without `reconnect:` a drop ends the recording normally; with
// it the open segment closes, the playlists stay published and unfinished, and the listener
// opens again until the wait's deadline; after it the recording is finalised as at the end of
// any input. `stop()` (SIGINT/SIGTERM) ends any wait at once through the interrupt policy.

extension PipelineRunner {
    /// The input as messages name it: the URL with its stream key and passphrase hidden.
    var inputName: String { LiveInput.redacted(spec.input.url) }

    /// Waits for the first source; nil when the run was stopped before one connected.
    func openLive(_ live: LiveInput, warnings: WarningCollector) throws(CuepointError) -> Demuxer? {
        enter(.waitingForSource)
        switch try live.open(interrupt: interrupt, until: nil, warnings: warnings) {
        case .opened(let demuxer):
            // The probe's decoded pictures were freed; give their memory back (ProcessMemory).
            ProcessMemory.returnFreedMemory()
            return demuxer
        case .stopped, .waitExpired: return nil
        }
    }

    /// The wall-clock time at which the demuxer's input started: when `avformat_open_input`
    /// returned, before the stream parameters were buffered.
    func arrivalTime(of demuxer: Demuxer) -> WallClockTime { arrivalTime(openedAt: demuxer.openedUptimeNanoseconds) }

    /// The wall-clock time of the monotonic instant `opened` (`DispatchTime.uptimeNanoseconds`).
    func arrivalTime(openedAt opened: UInt64) -> WallClockTime {
        let elapsed = DispatchTime.now().uptimeNanoseconds - min(opened, DispatchTime.now().uptimeNanoseconds)
        return options.clock.now().advanced(by: .milliseconds(-Int64(elapsed / 1_000_000)))
    }

    /// The input of a live recording ended or dropped. Without `input.reconnect_wait` the
    /// recording ends with it: nil, a drop noted and cleared (a live source that goes away is not a
    /// failure). Otherwise the open segment closes, the wait is announced, and its length and
    /// deadline (uptime nanoseconds) are returned. Shared by FFmpeg's inputs and the transport
    /// stream copy path.
    func inputWentAway(
        _ reading: inout Reading, session: RecordingSession, name: String, warnings: WarningCollector
    ) throws(CuepointError) -> (wait: MediaTime, deadline: UInt64)? {
        guard let wait = spec.input.reconnectWait else {
            if let dropped = reading.dropped {
                warnings.add("\(name): the input ended (\(dropped.message)); the recording is finalised")
            }
            reading.dropped = nil
            return nil
        }
        let after = SecondsText.format(milliseconds: session.latestMediaMilliseconds)
        let cause = reading.failure ?? reading.dropped.map { "\($0.message)" } ?? "end of stream"
        do {
            try session.inputEnded()
        } catch {
            salvage(session)
            throw describeOutputFailure(error, input: inputName)
        }
        warnings.add(
            "\(name): the input dropped after \(after) (\(cause)); waiting up to "
                + "\(DurationText.format(wait)) for it to reconnect")
        return (wait, DispatchTime.now().uptimeNanoseconds + UInt64(max(0, wait.milliseconds)) * 1_000_000)
    }

    /// After the first connection's read loop: reconnects while `input.reconnect` allows.
    ///
    /// - Returns: how the recording ends: stopped, the input over (a drop without reconnect, or a
    ///   wait that expired), or a failure (damaged input, a new source the renditions cannot carry).
    func continueLive(
        _ live: LiveInput, after first: Reading, session: RecordingSession, publisher: RecordingPublisher,
        followers: [MarkerFileFollower], warnings: WarningCollector
    ) throws(CuepointError) -> Reading {
        var reading = first
        while !reading.stopped {
            guard let (wait, deadline) = try inputWentAway(&reading, session: session, name: live.displayURL, warnings: warnings)
            else { return reading }
            enter(.reconnectWait)
            switch try live.open(interrupt: interrupt, until: deadline, warnings: warnings) {
            case .stopped:
                return Reading(stopped: true)
            case .waitExpired:
                warnings.add(
                    "\(live.displayURL): no source within \(DurationText.format(wait)); the recording is finalised")
                return Reading()
            case .opened(let demuxer):
                ProcessMemory.returnFreedMemory()
                let selection = try InputOpener.select(demuxer.streams, url: live.displayURL)
                if let mismatch = Self.mismatch(between: Array(session.streams.values), and: selection.streams) {
                    return Reading(
                        failure: "the reconnected source cannot continue this recording: \(mismatch); what was "
                            + "recorded before it is finalised")
                }
                do {
                    try session.inputRestarted(
                        cutStream: selection.cutStream, streams: selection.streams, arrivedAt: arrivalTime(of: demuxer))
                } catch {
                    return Reading(failure: "the reconnected source cannot continue this recording: \(error)")
                }
                metrics.inputReconnected()
                enter(.live)
                warnings.add("\(live.displayURL): a source reconnected; the recording continues after EXT-X-DISCONTINUITY")
                reading = try readAll(
                    demuxer: demuxer, session: session, publisher: publisher, followers: followers, warnings: warnings)
            }
        }
        return reading
    }

    /// Why a new source's streams cannot continue renditions made from `old`: another set of
    /// media types or another codec (copy renditions carry the codec in CODECS and the init
    /// section's track); nil when they can.
    static func mismatch(between old: [StreamInfo], and new: [StreamInfo]) -> String? {
        func describe(_ streams: [StreamInfo]) -> String {
            streams.sorted { $0.mediaType.rawValue < $1.mediaType.rawValue }
                .map { "\($0.mediaType.rawValue) \($0.codec.name)" }.joined(separator: " + ")
        }
        let before = describe(old), after = describe(new)
        return before == after ? nil : "it sends \(after), the recording has \(before)"
    }
}

extension LiveInput {
    /// Whether a read error ends a live network input's connection (a drop), rather than being
    /// damaged data inside it: an I/O error (RTMP reports a publisher that left as `EIO`), the
    /// read timeout, a reset or closed connection.
    static func isDrop(_ error: FFmpegError, of input: InputSpec) -> Bool {
        guard input.isLive, isNetwork(input.scheme) || input.reconnectWait != nil else { return false }
        if error.code == .inputOutput || error.code == .timedOut || error.code == .endOfFile { return true }
        guard let posix = error.code.posixErrno else { return false }
        return [ECONNRESET, EPIPE, ENOTCONN, ECONNABORTED, ESHUTDOWN].contains(posix)
    }
}
