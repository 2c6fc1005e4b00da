import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation
import Synchronization

/// Options of a run that are not part of the pipeline file.
public struct RunOptions: Sendable {
    /// The wall clock (PROGRAM-DATE-TIME); tests pass a manual one.
    public var clock: any WallClock = SystemWallClock()
    /// Called with each warning as it happens.
    public var warning: @Sendable (String) -> Void = { _ in }
    /// Called a few times a second with the run's progress.
    public var progress: (@Sendable (RunProgress) -> Void)? = nil

    public init() {}
}

/// How far a run is.
public struct RunProgress: Sendable {
    /// Media time processed, in milliseconds.
    public var mediaMilliseconds: Int64
    /// The input's declared duration in milliseconds, nil for live inputs.
    public var totalMilliseconds: Int64?
    /// Segments completed (per rendition).
    public var segments: Int
}

/// What a finished run produced.
public struct RunSummary: Sendable {
    public struct Rendition: Sendable {
        public var name: String
        public var segments: Int
        public var durationMilliseconds: Int64
        public var byteCount: Int64
        /// The rendition's main playlist, relative to the recording directory.
        public var playlist: String
    }

    /// The recording directory.
    public var directory: URL
    public var renditions: [Rendition]
    public var warnings: [String]
    /// Whether the run ended through `stop()` rather than at the end of the input.
    public var stopped: Bool
    /// The replay exported after the recording finished (`replay:`), if asked for.
    public var replay: ReplayResult?
}

/// Runs one pipeline: opens the input, segments it into every rendition, publishes the
/// playlists after each segment, and finalises the recording.
///
/// `run()` blocks: call it on a thread of its own (never on Swift's cooperative pool), or use
/// `run() async`, which starts one. `stop()` may be called from any thread; the run then
/// closes the open segment, publishes final playlists and returns normally.
public final class PipelineRunner: Sendable {
    public let spec: PipelineSpec
    /// Where the recording is written: by default `<output.directory>/<name>`.
    public let directory: URL
    private let options: RunOptions
    private let interrupt = InterruptPolicy()
    private let markerDesk = Mutex<MarkerDesk?>(nil)
    /// The wall clock of recording time 0 in the current epoch (for the fall-behind gauge).
    private let recordingZero = Mutex<WallClockTime?>(nil)
    /// What the run has done so far: segments, markers, ingest, latency (`/metrics`).
    public let metrics = PipelineMetrics()
    /// LL-HLS (`output.part`): the recent parts and playlist state the server answers low-latency
    /// and blocking requests from; nil without parts.
    public let partStore: PartStore?

    public init(spec: PipelineSpec, directory: URL? = nil, options: RunOptions = RunOptions()) {
        self.spec = spec
        self.directory =
            directory ?? URL(fileURLWithPath: spec.recordingDirectory)
        self.options = options
        self.partStore = PartStore(spec: spec)
    }

    /// Asks a running pipeline to finish: the blocked read returns, the open segment closes,
    /// and final playlists are published.
    public func stop() { interrupt.cancel() }

    /// Adds a product marker to the running pipeline: validated, appended to the recording's
    /// `markers.jsonl` and synced to disk before this returns; it appears as a date range with
    /// the next published segment and in-band where the media reaches its start.
    ///
    /// - Throws: `MarkerProblems` naming each problem, or when the pipeline is not running.
    @discardableResult
    public func addMarker(_ marker: Marker) throws(MarkerProblems) -> PlacedMarker {
        do throws(MarkerProblems) {
            let desk = try runningDesk()
            let (placed, problems) = desk.accept([(0, marker)], source: "api")
            guard let accepted = placed.first else { throw MarkerProblems(problems) }
            metrics.markersAccepted(from: .api)
            return accepted
        } catch {
            metrics.markersRejected(from: .api)
            throw error
        }
    }

    /// Closes an open marker at `end` (default: now) by repeating its date range with DURATION.
    @discardableResult
    public func closeMarker(id: String, end: MarkerEnd? = nil) throws(MarkerProblems) -> PlacedMarker {
        do throws(MarkerProblems) {
            let closed = try runningDesk().close(id: id, end: end, source: "api")
            metrics.markerClosed(from: .api)
            return closed
        } catch {
            metrics.markersRejected(from: .api)
            throw error
        }
    }

    /// The markers accepted so far.
    public var markers: [PlacedMarker] { markerDesk.withLock { $0?.markers ?? [] } }

    /// Whether ``addMarker(_:)`` can take markers now: the pipeline runs and has a `markers`
    /// section.
    public var acceptsMarkers: Bool { markerDesk.withLock { $0 != nil } }

    private func runningDesk() throws(MarkerProblems) -> MarkerDesk {
        guard let desk = markerDesk.withLock({ $0 }) else {
            throw MarkerProblems([
                MarkerProblem(
                    source: "api",
                    message: spec.markers == nil
                        ? "the pipeline has no `markers` section" : "the pipeline is not running")
            ])
        }
        return desk
    }

    /// Runs on a dedicated thread and resumes when the pipeline ends.
    public func run() async throws(CuepointError) -> RunSummary {
        let result: Result<RunSummary, CuepointError> = await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                do throws(CuepointError) {
                    continuation.resume(returning: .success(try runBlocking()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "cuepoint.pipeline.\(spec.name)"
            thread.start()
        }
        return try result.get()
    }

    /// Runs the pipeline on the calling thread until the input ends or `stop()` is called.
    ///
    /// - Throws: `CuepointError` naming the input or output path, the cause and the fix.
    ///   Segments and playlists published before a failure stay valid and playable.
    public func runBlocking() throws(CuepointError) -> RunSummary {
        if let replay = spec.replay {
            // Fail before recording rather than after it when the replay would be refused.
            try ReplayStaging.check(destination: replayDirectory(replay), recording: directory, force: replay.options.force)
        }
        let input = spec.input
        if let problem = spec.output.partProblem {
            throw CuepointError(subject: "output.part", message: problem)
        }
        let warnings = WarningCollector(report: options.warning)
        let demuxer = try InputOpener.open(url: input.url, format: input.format, options: input.options, interrupt: interrupt)
        for option in demuxer.unusedOptions {
            warnings.add("input option `\(option)` was not recognised by FFmpeg and has no effect")
        }
        let selection = try InputOpener.select(demuxer.streams, url: input.url)
        for stream in selection.ignored {
            warnings.add("\(input.url): stream \(stream.index) (\(stream.mediaType.rawValue), \(stream.codec.name)) is not carried")
        }
        let isLive = input.isLive
        let kinds = spec.playlists
        let store = DirectoryStore(root: directory)
        do {
            try store.prepare(subdirectories: spec.renditions.map(\.name))
        } catch {
            throw CuepointError(subject: error.path, message: "cannot write the output: \(error.reason)", fix: error.fix)
        }

        let outputs = spec.renditions.map {
            RenditionOutput(
                name: $0.name, container: spec.output.container, store: store, streams: selection.streams,
                carriesTimedMetadata: spec.markers?.carry.contains(.id3) == true,
                metadataTimeBase: selection.cutStream.timeBase)
        }
        let description = VariantDescription(streams: selection.streams)
        if !description.unknownCodecs.isEmpty {
            warnings.add("no CODECS string for \(description.unknownCodecs.joined(separator: ", ")); CODECS is left out of master.m3u8")
        }
        let publisher = RecordingPublisher(
            store: store, recordingName: spec.name, container: spec.output.container,
            segmentDuration: spec.output.segmentDuration, isLive: isLive,
            renditions: spec.renditions.map {
                RecordingPublisher.Rendition(
                    name: $0.name,
                    playlists: RenditionPlaylists(
                        kinds: kinds, windowSize: spec.output.liveWindow, finishAsVOD: !isLive,
                        targetMilliseconds: spec.output.segmentDuration.milliseconds, firstSequence: 1),
                    description: description)
            }, warnings: warnings)
        // Files: PROGRAM-DATE-TIME starts at start_date or now, fixed before any marker is placed.
        let startDate = isLive ? nil : (input.startDate ?? options.clock.now())
        let session = RecordingSession(
            outputs: outputs, publisher: publisher, cutStream: selection.cutStream.index, streams: selection.streams,
            target: spec.output.segmentDuration, isLive: isLive, clock: options.clock, startDate: startDate,
            warnings: warnings, markers: spec.markers)
        if let partStore { session.parts = PartSegmenter(store: partStore) }
        var followers: [MarkerFileFollower] = []
        recordingZero.withLock { $0 = nil }
        session.onEpoch = { [self] start in recordingZero.withLock { $0 = start } }
        session.onSegmentsPublished = { [metrics] records, latency in
            metrics.recordSegments(
                records.map { ($0.rendition, $0.durationMilliseconds) }, publishLatencyNanoseconds: latency)
        }
        metrics.setRunning(true, isLive: isLive)
        defer { metrics.setRunning(false, isLive: isLive) }
        if let markersSpec = spec.markers {
            let desk = try openMarkerDesk(
                store: store, startDate: startDate, duration: isLive ? nil : demuxer.duration, warnings: warnings)
            session.onEpoch = { [self] start in
                recordingZero.withLock { $0 = start }
                desk.setRecordingStart(start)
            }
            try loadMarkers(markersSpec, into: desk, live: isLive, followers: &followers, warnings: warnings)
            for command in desk.drain() { apply(command, to: session) }
            markerDesk.withLock { $0 = desk }
        }
        defer {
            markerDesk.withLock { desk in
                desk?.closeLog()
                desk = nil
            }
        }

        let reading = try readAll(
            demuxer: demuxer, session: session, publisher: publisher, followers: followers, warnings: warnings)
        do {
            let closedAtEnd = try session.finish(complete: reading.failure == nil)
            // The log says what the playlists say: open markers ended with the recording.
            if let desk = markerDesk.withLock({ $0 }) {
                for close in closedAtEnd { desk.recordClose(id: close.id, durationMilliseconds: close.durationMilliseconds) }
            }
        } catch {
            session.salvage()
            throw describeOutputFailure(error, input: input.url)
        }
        warnings.reportCounts()
        var summary = RunSummary(
            directory: directory,
            renditions: publisher.renditions.map { rendition in
                RunSummary.Rendition(
                    name: rendition.name, segments: rendition.playlists.segments.count,
                    durationMilliseconds: rendition.playlists.segments.reduce(0) { $0 + $1.durationMilliseconds },
                    byteCount: rendition.segmentSizes.reduce(0) { $0 + $1.bytes },
                    playlist: "\(rendition.name)/\(kinds.contains(.index) ? "index.m3u8" : "live.m3u8")")
            }, warnings: warnings.all, stopped: reading.stopped)
        let written = summary.renditions.first?.segments ?? 0
        if let failure = reading.failure {
            throw CuepointError(
                subject: input.url, message: failure,
                fix: written > 0
                    ? "the \(written) segment(s) before it are complete and playable in \(directory.path)"
                    : "no segment could be written")
        }
        if written == 0 && !reading.stopped {
            let what = selection.video != nil ? "no video keyframe was found" : "no audio packet was found"
            throw CuepointError(subject: input.url, message: "nothing to segment: \(what)", fix: "check the input")
        }
        if let replay = spec.replay {
            summary.replay = try ReplayExporter.export(
                recordingDirectory: directory.path, outputDirectory: replayDirectory(replay), options: replay.options)
        }
        return summary
    }

    /// Where the `replay:` package goes: `replay.directory`, or `<name>-replay` beside the recording.
    private func replayDirectory(_ replay: ReplaySpec) -> String {
        replay.directory ?? directory.deletingLastPathComponent().appendingPathComponent("\(spec.name)-replay").path
    }

    private struct Reading {
        var stopped = false
        /// Why reading ended early, when the input is damaged or truncated.
        var failure: String?
    }

    /// The read loop: packets until the end, a stop, or unrecoverable input damage.
    private func readAll(
        demuxer: Demuxer, session: RecordingSession, publisher: RecordingPublisher, followers: [MarkerFileFollower],
        warnings: WarningCollector
    ) throws(CuepointError) -> Reading {
        let desk = markerDesk.withLock { $0 }
        var lastFollow = DispatchTime.now().uptimeNanoseconds
        let packet = Packet()
        var reading = Reading()
        var consecutiveErrors = 0
        var readErrors = 0
        var lastProgress = DispatchTime.now().uptimeNanoseconds
        var packetsSinceCheck = 0
        let total = demuxer.duration?.milliseconds
        while true {
            do {
                guard try demuxer.read(into: packet) else { break }
                consecutiveErrors = 0
            } catch {
                if error.code == .exit {
                    reading.stopped = true
                    break
                }
                consecutiveErrors += 1
                readErrors += 1
                if consecutiveErrors >= 32 || error.code == .inputOutput || error.code == .timedOut {
                    reading.failure =
                        "the input is damaged after \(formatSeconds(.milliseconds(session.latestMediaMilliseconds))) (\(error.message))"
                    break
                }
                warnings.count("unreadable data in the input was skipped")
                continue
            }
            metrics.addIngestBytes(packet.size)
            if packet.isCorrupt { warnings.count("packets flagged corrupt by the demuxer were kept") }
            if let desk {
                if !followers.isEmpty, DispatchTime.now().uptimeNanoseconds - lastFollow > 500_000_000 {
                    lastFollow = DispatchTime.now().uptimeNanoseconds
                    for follower in followers { accept(follower.poll(), from: follower.path, into: desk, warnings: warnings) }
                }
                for command in desk.drain() { apply(command, to: session) }
            }
            do {
                try session.handle(packet)
            } catch {
                session.salvage()
                throw describeOutputFailure(error, input: spec.input.url)
            }
            packetsSinceCheck += 1
            if packetsSinceCheck >= 64 {
                packetsSinceCheck = 0
                let now = DispatchTime.now().uptimeNanoseconds
                if now - lastProgress > 250_000_000 {
                    lastProgress = now
                    sampleMetrics(session: session, uptimeNanoseconds: now)
                    options.progress?(
                        RunProgress(
                            mediaMilliseconds: session.latestMediaMilliseconds, totalMilliseconds: total,
                            segments: publisher.renditions.first?.playlists.segments.count ?? 0))
                }
            }
        }
        // A file that ends well before its declared duration was cut short (a partial download or copy).
        if reading.failure == nil, !reading.stopped, !spec.input.isLive, let total, !session.hadDiscontinuity {
            let reached = session.latestMediaMilliseconds
            if reached < total - max(1000, total / 50) {
                reading.failure =
                    "the input ends at \(formatSeconds(.milliseconds(reached))) but declares \(formatSeconds(.milliseconds(total)))"
                    + " (truncated file?)"
            }
        }
        return reading
    }

    private func openMarkerDesk(
        store: DirectoryStore, startDate: WallClockTime?, duration: MediaTime?, warnings: WarningCollector
    ) throws(CuepointError) -> MarkerDesk {
        let path = store.root.appendingPathComponent("markers.jsonl").path
        // A new recording starts a new log (resuming a live recording is a later step).
        try? store.remove("markers.jsonl")
        let log: MarkerLog
        do {
            log = try MarkerLog(path: path)
        } catch {
            throw CuepointError(subject: path, message: "cannot write the marker log: \(error)", fix: "check the output directory")
        }
        let now = options.clock.now()
        let context = MarkerContext(recordingStart: startDate ?? now, recordingDuration: duration, now: now, knownIDs: [])
        return MarkerDesk(log: log, context: context, clock: options.clock)
    }

    /// Reads the pipeline's marker sources: the inline list and each file (followed for new
    /// lines while a live input runs). Rejected markers are reported; the others are used.
    private func loadMarkers(
        _ markersSpec: MarkersSpec, into desk: MarkerDesk, live: Bool, followers: inout [MarkerFileFollower],
        warnings: WarningCollector
    ) throws(CuepointError) {
        let inline = markersSpec.inline.map { (line: 0, marker: $0) }
        accept((inline, []), from: "markers.from.list", into: desk, warnings: warnings)
        for file in markersSpec.files {
            if live {
                let follower = MarkerFileFollower(path: file)
                accept(follower.poll(), from: file, into: desk, warnings: warnings)
                followers.append(follower)
                continue
            }
            guard FileManager.default.fileExists(atPath: file) else {
                throw CuepointError(subject: file, message: "no such marker file", fix: "check markers.from[].file")
            }
            accept(MarkerFile.load(path: file), from: file, into: desk, warnings: warnings)
        }
    }

    /// Hands parsed marker lines to the desk; every problem, parsing or validation, is a warning.
    private func accept(
        _ parsed: (markers: [(line: Int, marker: Marker)], problems: [MarkerProblem]), from source: String,
        into desk: MarkerDesk, warnings: WarningCollector
    ) {
        let accepted: (placed: [PlacedMarker], problems: [MarkerProblem]) =
            parsed.markers.isEmpty ? ([], []) : desk.accept(parsed.markers, source: source)
        let rejected = parsed.problems + accepted.problems
        rejected.forEach { warnings.add("marker rejected: \($0)") }
        let label: PipelineMetrics.MarkerSource = source == "markers.from.list" ? .list : .file
        metrics.markersAccepted(accepted.placed.count, from: label)
        // One marker can have several problems: count the markers (lines, or ids in the list).
        metrics.markersRejected(Set(rejected.map { $0.line.map { "line \($0)" } ?? "id \($0.id ?? "?")" }).count, from: label)
    }

    /// Updates the metrics' gauges: media time, the ingest bitrate and, for a live input, how far
    /// the media lags the wall clock (wall time elapsed since recording time 0 of the epoch,
    /// minus the media time reached).
    private func sampleMetrics(session: RecordingSession, uptimeNanoseconds: UInt64) {
        let media = session.latestMediaMilliseconds
        var lag: Int64?
        if spec.input.isLive, let zero = recordingZero.withLock({ $0 }) {
            lag = options.clock.now().millisecondsSince1970 - zero.millisecondsSince1970 - media
        }
        metrics.sample(mediaMilliseconds: media, fallBehindMilliseconds: lag, uptimeNanoseconds: uptimeNanoseconds)
    }

    private func apply(_ command: MarkerDesk.Command, to session: RecordingSession) {
        switch command {
        case .add(let marker): session.add(marker)
        case .close(let id, let duration): _ = session.close(id: id, durationMilliseconds: duration)
        }
    }

    private func describeOutputFailure(_ error: any Error, input: String) -> CuepointError {
        switch error {
        case let storage as StorageError:
            CuepointError(subject: storage.path, message: "cannot \(storage.operation): \(storage.reason)", fix: storage.fix)
        case let ffmpeg as FFmpegError:
            CuepointError(subject: input, message: "muxing failed (\(ffmpeg.function): \(ffmpeg.message))")
        default:
            CuepointError(subject: input, message: "\(error)")
        }
    }
}
