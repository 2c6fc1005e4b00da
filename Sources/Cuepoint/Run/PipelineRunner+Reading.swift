import CuepointFFmpeg
import CuepointTime
import Foundation
import NIOConcurrencyHelpers

// MARK: - The read loop
//
// One packet at a time from the demuxer to the session, with the marker desk drained and the
// timeline followed between packets, until the input ends, `stop()` interrupts the blocking
// read, the input drops (live), or the input is damaged beyond repair.

extension PipelineRunner {
    struct Reading {
        var stopped = false
        /// Why reading ended early, when the input is damaged or truncated.
        var failure: String?
        /// The read error that ended a live network input: the connection dropped or timed out.
        var dropped: FFmpegError?
    }

    /// Reads the first connection's demuxer to its end and releases it.
    func readAndClose(
        _ opened: inout OpenedInput, session: RecordingSession, publisher: RecordingPublisher,
        followers: [MarkerFileFollower], warnings: WarningCollector
    ) throws(CuepointError) -> Reading {
        guard case .demuxer(let demuxer) = opened else { return Reading() }
        opened = .closed
        return try readAll(demuxer: demuxer, session: session, publisher: publisher, followers: followers, warnings: warnings)
    }

    /// The read loop: packets until the end, a stop, or unrecoverable input damage.
    func readAll(
        demuxer: Demuxer, session: RecordingSession, publisher: RecordingPublisher, followers: [MarkerFileFollower],
        warnings: WarningCollector
    ) throws(CuepointError) -> Reading {
        let loop = ReadLoop(runner: self, session: session, followers: followers, warnings: warnings)
        loop.totalMilliseconds = demuxer.duration?.milliseconds
        let packet = Packet()
        var reading = Reading()
        var consecutiveErrors = 0
        while true {
            do {
                guard try demuxer.read(into: packet) else { break }
                consecutiveErrors = 0
            } catch {
                if error.code == .exit {
                    reading.stopped = true
                    break
                }
                if LiveInput.isDrop(error, of: spec.input) {
                    reading.dropped = error
                    break
                }
                consecutiveErrors += 1
                if consecutiveErrors >= 32 || error.code == .inputOutput || error.code == .timedOut {
                    reading.failure =
                        "the input is damaged after \(SecondsText.format(milliseconds: session.latestMediaMilliseconds)) (\(error.message))"
                    break
                }
                warnings.count("unreadable data in the input was skipped")
                continue
            }
            try loop.handle(packet)
        }
        checkTruncation(&reading, session: session, declaredMilliseconds: demuxer.duration?.milliseconds)
        return reading
    }

    /// A file that ends well before its declared duration was cut short (a partial download or copy).
    func checkTruncation(_ reading: inout Reading, session: RecordingSession, declaredMilliseconds total: Int64?) {
        if reading.failure == nil, !reading.stopped, !spec.input.isLive, let total, !session.hadDiscontinuity {
            let reached = session.latestMediaMilliseconds
            if reached < total - max(1000, total / 50) {
                reading.failure =
                    "the input ends at \(SecondsText.format(milliseconds: reached)) but declares \(SecondsText.format(milliseconds: total))"
                    + " (truncated file?)"
            }
        }
    }

    /// The work of the read loop for each packet, whichever path read it (demuxed packets, or
    /// the transport stream copy path's units): metrics, markers from the desk and followed
    /// files, the session, progress. Owned by the pipeline's thread.
    final class ReadLoop {
        let runner: PipelineRunner
        let session: RecordingSession
        let followers: [MarkerFileFollower]
        let warnings: WarningCollector
        private let desk: MarkerDesk?
        private var epochsSeen: Int
        private var lastFollow = DispatchTime.now().uptimeNanoseconds
        private var lastProgress = DispatchTime.now().uptimeNanoseconds
        private var packetsSinceCheck = 0
        /// The input's declared duration, for the progress line.
        var totalMilliseconds: Int64?

        init(runner: PipelineRunner, session: RecordingSession, followers: [MarkerFileFollower], warnings: WarningCollector) {
            self.runner = runner
            self.session = session
            self.followers = followers
            self.warnings = warnings
            desk = runner.markerDesk.withLockedValue { $0 }
            epochsSeen = session.timeline.epochs.count
        }

        func handle<Unit: MediaUnit>(_ packet: Unit) throws(CuepointError) {
            let metrics = runner.metrics
            metrics.addIngestBytes(packet.size)
            if packet.isCorrupt { warnings.count("packets flagged corrupt by the demuxer were kept") }
            if let desk {
                if !followers.isEmpty, DispatchTime.now().uptimeNanoseconds - lastFollow > 500_000_000 {
                    lastFollow = DispatchTime.now().uptimeNanoseconds
                    for follower in followers { runner.accept(follower.poll(), from: follower.path, into: desk, warnings: warnings) }
                }
                for command in desk.drain() { runner.apply(command, to: session) }
            }
            do {
                try session.handle(packet)
                // A new epoch moves the wall-clock mapping: markers given as dates or "now" follow it,
                // and so does the fall-behind gauge.
                if session.timeline.epochs.count != epochsSeen {
                    epochsSeen = session.timeline.epochs.count
                    if let zero = session.timeline.current?.recordingZero {
                        desk?.setRecordingStart(zero)
                        metrics.recordingStarted(at: zero)
                    }
                }
            } catch {
                runner.salvage(session)
                throw runner.describeOutputFailure(error, input: runner.inputName)
            }
            metrics.mediaReached(milliseconds: session.latestMediaMilliseconds)
            packetsSinceCheck += 1
            if packetsSinceCheck >= 64 {
                packetsSinceCheck = 0
                let now = DispatchTime.now().uptimeNanoseconds
                if now - lastProgress > 250_000_000 {
                    lastProgress = now
                    runner.sampleMetrics(session: session, uptimeNanoseconds: now, warnings: warnings)
                    runner.options.progress?(
                        RunProgress(
                            mediaMilliseconds: session.latestMediaMilliseconds, totalMilliseconds: totalMilliseconds,
                            segments: session.publishedSegments))
                }
            }
        }
    }
}
