import CoreMetrics
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
    /// Where the run's metrics are recorded (``PipelineMetrics``); nil: `MetricsSystem.factory`.
    public var metricsFactory: (any MetricsFactory)? = nil
    /// Labels put first on every metric of the run, e.g. `[("show", "spring-sale")]`.
    public var metricsDimensions: [(String, String)] = []
    /// Called with what the run decided that is not a warning (which path reads the input);
    /// the command line prints these with `--verbose`.
    public var note: @Sendable (String) -> Void = { _ in }
    /// Whether an MPEG-TS input copied into MPEG-TS segments may take the transport stream copy
    /// path (``ReadPath/transportStreamCopy``); false makes libavformat read every packet.
    public var transportStreamCopy = true

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
        /// Whether the rendition was encoded (rather than copied).
        public var transcoded: Bool = false
        /// Picture size (`640x360`), nil for audio-only.
        public var resolution: String? = nil
        /// The measured average bit rate (AVERAGE-BANDWIDTH), bits per second.
        public var averageBitrate: Int? = nil
        /// CODECS as the multivariant playlist gives them.
        public var codecs: [String] = []
    }

    /// The recording directory.
    public var directory: URL
    public var renditions: [Rendition]
    public var warnings: [String]
    /// Whether the run ended through `stop()` rather than at the end of the input.
    public var stopped: Bool
    /// The replay exported after the recording finished (`replay:`), if asked for.
    public var replay: ReplayResult?
    /// Which path read the input.
    public var readPath: ReadPath = .demuxer
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
    let options: RunOptions
    let interrupt = InterruptPolicy()
    let markerDesk = Mutex<MarkerDesk?>(nil)
    /// Which path reads the input (set when it is opened).
    let readPath = Mutex<ReadPath>(.demuxer)
    /// Says once per run when a live input is processed too slowly (transcoding that cannot keep up).
    private let fallBehind = FallBehindWarning()
    /// What the run has done so far: segments, markers, ingest, latency (`/metrics`).
    public let metrics: PipelineMetrics
    /// LL-HLS (`output.part`): the recent parts and playlist state the server answers low-latency
    /// and blocking requests from; nil without parts.
    public let partStore: PartStore?

    public init(spec: PipelineSpec, directory: URL? = nil, options: RunOptions = RunOptions()) {
        self.spec = spec
        self.directory =
            directory ?? URL(fileURLWithPath: spec.recordingDirectory)
        self.options = options
        self.metrics = PipelineMetrics(
            factory: options.metricsFactory, dimensions: options.metricsDimensions, clock: options.clock)
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
        try await runToEnd().get()
    }

    /// Runs on a dedicated thread and returns how the pipeline ended, without throwing.
    ///
    /// Callers that collect outcomes in a task group (``PipelineGroup``) must use this rather
    /// than wrap ``run()`` in a child task: Swift 6.3.1 at `-O` miscompiles a call to an
    /// `async throws(CuepointError)` function inside a `withTaskGroup` child closure (with or
    /// without `do throws(…)` around it), and the parent then reads the child's result from the
    /// wrong place: a garbage index (the SIGILL of `cuepoint run A.yaml B.yaml …` on SIGINT) or
    /// a group that reports no result at all. Debug builds are not affected. Calling an async
    /// function that does not throw, as here, is compiled correctly.
    public func runToEnd() async -> Result<RunSummary, CuepointError> {
        await withCheckedContinuation { continuation in
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
        if spec.output.partDuration != nil, spec.renditions.contains(where: \.transcodes) {
            throw CuepointError(
                subject: "output.part", message: "LL-HLS parts are cut for copy renditions only; this pipeline transcodes",
                fix: "leave out `output.part` (--part), or make every rendition `copy: true`")
        }
        let warnings = WarningCollector(report: options.warning)
        let live = LiveInput.applies(to: input) ? LiveInput(spec: input) : nil
        // Before any input is read: resume an unfinished live recording, or refuse to touch one.
        let store = DirectoryStore(root: directory)
        let resumed = try resumeOrClear(store: store, warnings: warnings)
        guard var opened = try openInput(live: live, warnings: warnings) else {
            return RunSummary(directory: directory, renditions: [], warnings: warnings.all, stopped: true, replay: nil)
        }
        if case .demuxer(let demuxer) = opened {
            for option in demuxer.unusedOptions {
                warnings.add("input option `\(option)` was not recognised by FFmpeg and has no effect")
            }
        }
        let selection = try InputOpener.select(opened.streams, url: inputName)
        for stream in selection.ignored {
            warnings.add("\(inputName): stream \(stream.index) (\(stream.mediaType.rawValue), \(stream.codec.name)) is not carried")
        }
        let isLive = input.isLive
        let kinds = spec.playlists
        let plan = try TranscodePlan(spec: spec, streams: selection.streams, inputName: input.url)
        for note in plan.notes { warnings.add(note) }
        do {
            try store.prepare(folders: plan.renditions.map(\.name))
        } catch {
            throw CuepointError(subject: error.path, message: "cannot write the output: \(error.reason)", fix: error.fix)
        }

        let deterministic = spec.transcode.deterministic
        let carriesTimedMetadata = spec.markers?.carry.contains(.id3) == true
        func output(_ name: String, streams: [StreamInfo]) -> RenditionOutput {
            let output = RenditionOutput(
                name: name, container: spec.output.container, store: store, streams: streams,
                carriesTimedMetadata: carriesTimedMetadata, metadataTimeBase: selection.cutStream.timeBase,
                bitexact: deterministic)
            // Renditions with and without B-frames must keep the same timestamps.
            output.keepsTimestamps = plan.transcodes
            output.initNumber = resumed?.initNumber(of: name) ?? 0
            return output
        }
        var outputs: [any SegmentOutput] = []
        var copyOutputs: [TransportStreamOutput] = []
        var outputPositions: [Int] = []
        for (position, rendition) in plan.renditions.enumerated() where rendition.copy {
            if case .transportStream = opened {
                let copy = TransportStreamOutput(
                    name: rendition.name, store: store, pids: selection.streams.map { UInt16(truncatingIfNeeded: $0.id) },
                    carriesTimedMetadata: carriesTimedMetadata)
                copyOutputs.append(copy)
                outputs.append(copy)
            } else {
                outputs.append(output(rendition.name, streams: selection.streams))
            }
            outputPositions.append(position)
        }
        let description = VariantDescription(streams: selection.streams)
        if !outputs.isEmpty, !description.unknownCodecs.isEmpty {
            warnings.add("no CODECS string for \(description.unknownCodecs.joined(separator: ", ")); CODECS is left out of master.m3u8")
        }
        let publisher = RecordingPublisher(
            store: store, recordingName: spec.name, container: spec.output.container,
            segmentDuration: spec.output.segmentDuration, isLive: isLive,
            renditions: plan.renditions.map {
                let rendition = RecordingPublisher.Rendition(
                    name: $0.name,
                    playlists: RenditionPlaylists(
                        kinds: kinds, windowSize: spec.output.liveWindow, finishAsVOD: !isLive,
                        targetMilliseconds: spec.output.segmentDuration.milliseconds, firstSequence: 1),
                    description: $0.copy ? description : VariantDescription(streams: []), kind: renditionKind($0.name))
                return resumed?.seed(rendition, targetMilliseconds: spec.output.segmentDuration.milliseconds) ?? rendition
            }, warnings: warnings)
        if let resumed { publisher.startDate = resumed.startDate }
        let barrier = SegmentBarrier(publisher: publisher, clock: options.clock)
        var transcoder: Transcoder?
        if plan.transcodes {
            let lanes = plan.renditions.enumerated().filter { !$0.element.copy }.map { position, rendition in
                Transcoder.Rendition(
                    lane: TranscodeLane(
                        name: rendition.name, index: position, output: output(rendition.name, streams: []),
                        hasVideo: rendition.video != nil, hasAudio: rendition.audio != nil,
                        frameRate: selection.video?.frameRate, barrier: barrier),
                    video: rendition.video, audio: rendition.audio)
            }
            transcoder = try Transcoder(
                streams: selection.streams, renditions: lanes, segmentDuration: spec.output.segmentDuration,
                options: RenditionEncoder.Options(
                    deterministic: deterministic, videoThreadCount: spec.transcode.threads,
                    globalHeader: spec.output.container == .fmp4),
                inputName: input.url)
            for lane in lanes { publisher.setDescription(lane.lane.initialDescription, rendition: lane.lane.index) }
        }
        // Files: PROGRAM-DATE-TIME starts at start_date or now, fixed before any marker is placed;
        // deterministic runs take a fixed date instead of the clock.
        let startDate =
            isLive ? nil : (input.startDate ?? (deterministic ? TranscodeSpec.deterministicStartDate : options.clock.now()))
        let session = RecordingSession(
            outputs: outputs, publisher: publisher, cutStream: selection.cutStream.index, streams: selection.streams,
            target: spec.output.segmentDuration, isLive: isLive, clock: options.clock, startDate: startDate,
            warnings: warnings, markers: spec.markers, transcoder: transcoder, outputPositions: outputPositions,
            barrier: barrier)
        if let resumed {
            session.resume(
                nextSequence: resumed.nextSequence, recordedMilliseconds: resumed.recordedMilliseconds,
                lastEpoch: (resumed.lastSegment.programDateTime, resumed.lastSegment.recordingOffsetMilliseconds),
                mediaEndMilliseconds: resumed.mediaEndMilliseconds)
        }
        if input.isLive { session.inputStarted(arrivedAt: arrivalTime(openedAt: opened.openedUptimeNanoseconds)) }
        if let partStore { session.parts = PartSegmenter(store: partStore) }
        var followers: [MarkerFileFollower] = []
        session.onSegmentsPublished = { [metrics] records, latency in
            metrics.recordSegments(
                records.map { ($0.rendition, $0.durationMilliseconds) }, publishLatencyNanoseconds: latency)
        }
        metrics.setRunning(true, isLive: isLive)
        defer {
            metrics.mediaReached(milliseconds: session.latestMediaMilliseconds)
            metrics.setRunning(false, isLive: isLive)
        }
        if let markersSpec = spec.markers {
            let desk = try openMarkerDesk(
                store: store, startDate: startDate, duration: isLive ? nil : opened.duration, resumed: resumed,
                warnings: warnings)
            if let resumed {
                // The log's markers continue in the session: open ones can be closed, and the ones
                // the crash kept from the playlists are placed again.
                for marker in session.resumeMarkers(desk.markers, published: resumed.publishedDateRanges) {
                    warnings.add(
                        "marker \(marker.id) of markers.jsonl had not reached the playlists before the restart; it is"
                            + " published with the next segment")
                }
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

        var reading: Reading
        switch opened {
        case .demuxer:
            // The demuxer is released (its connection closed) before listening again: a UDP socket
            // stays bound while open.
            reading = try readAndClose(
                &opened, session: session, publisher: publisher, followers: followers, warnings: warnings)
            if let live {
                reading = try continueLive(
                    live, after: reading, session: session, publisher: publisher, followers: followers, warnings: warnings)
            }
        case .transportStream(let transportInput, let streams):
            var splitter = TransportStreamSplitter(streams: streams)
            splitter.onProgram = { association, map in
                for output in copyOutputs { output.useProgram(association: association, map: map) }
            }
            reading = try readTransportStream(
                transportInput, splitter: &splitter, session: session, followers: followers, warnings: warnings)
            if live != nil || transportInput.source is DatagramSource {
                reading = try continueTransportStream(
                    transportInput, after: reading, session: session, outputs: copyOutputs, followers: followers,
                    warnings: warnings)
            }
        case .closed:
            reading = Reading()
        }
        do {
            let closedAtEnd = try session.finish(complete: reading.failure == nil)
            // The log says what the playlists say: open markers ended with the recording.
            if let desk = markerDesk.withLock({ $0 }) {
                for close in closedAtEnd { desk.recordClose(id: close.id, durationMilliseconds: close.durationMilliseconds) }
            }
        } catch {
            salvage(session)
            throw describeOutputFailure(error, input: inputName)
        }
        if let transcoder { reportTranscoding(transcoder, warnings: warnings) }
        warnings.reportCounts()
        var summary = RunSummary(
            directory: directory,
            renditions: zip(publisher.renditions, plan.renditions).map { rendition, planned in
                let bytes = rendition.segmentSizes.reduce(0) { $0 + $1.bytes }
                return RunSummary.Rendition(
                    name: rendition.name, segments: rendition.playlists.segments.count,
                    durationMilliseconds: rendition.playlists.segments.reduce(0) { $0 + $1.durationMilliseconds },
                    byteCount: bytes,
                    playlist: RecordingLayout.playlistPath(rendition.playlists.mainKind, in: rendition.name),
                    transcoded: !planned.copy,
                    resolution: rendition.description.resolution.map { "\($0.width)x\($0.height)" },
                    averageBitrate: rendition.segmentSizes.isEmpty
                        ? nil : BitrateMeasurement.average(segments: rendition.segmentSizes),
                    codecs: rendition.description.codecs)
            }, warnings: warnings.all, stopped: reading.stopped, readPath: readPath.withLock { $0 })
        let written = summary.renditions.first?.segments ?? 0
        if let failure = reading.failure {
            throw CuepointError(
                subject: inputName, message: failure,
                fix: written > 0
                    ? "the \(written) segment(s) before it are complete and playable in \(directory.path)"
                    : "no segment could be written")
        }
        if written == 0 && !reading.stopped {
            let what = selection.video != nil ? "no video keyframe was found" : "no audio packet was found"
            throw CuepointError(subject: inputName, message: "nothing to segment: \(what)", fix: "check the input")
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

    struct Reading {
        var stopped = false
        /// Why reading ended early, when the input is damaged or truncated.
        var failure: String?
        /// The read error that ended a live network input: the connection dropped or timed out.
        var dropped: FFmpegError?
    }

    /// Reads the first connection's demuxer to its end and releases it.
    private func readAndClose(
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
            desk = runner.markerDesk.withLock { $0 }
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

    private func openMarkerDesk(
        store: DirectoryStore, startDate: WallClockTime?, duration: MediaTime?, resumed: RecordingResume?,
        warnings: WarningCollector
    ) throws(CuepointError) -> MarkerDesk {
        let path = store.absolute(RecordingLayout.markerLog)
        // A new recording starts a new log; a resumed one appends to its own, and its markers stay
        // placed: listed, closable, their ids taken (a desk that knew only the ids answered 404 to
        // the close of a marker left open by the crash, and 409 to its re-add).
        var knownIDs: Set<String> = []
        var logged: [PlacedMarker] = []
        if resumed != nil {
            let read = MarkerLog.read(path: path)
            logged = read.markers
            knownIDs = Set(logged.map(\.id))
            for problem in read.problems { warnings.add("markers.jsonl of the resumed recording: \(problem)") }
        } else {
            try? store.remove([RecordingLayout.markerLog])
        }
        let log: MarkerLog
        do {
            log = try MarkerLog(path: path)
        } catch {
            throw CuepointError(subject: path, message: "cannot write the marker log: \(error)", fix: "check the output directory")
        }
        let now = options.clock.now()
        // Resumed: until the new epoch starts, "now" is the end of what was recorded.
        let zero = resumed.map { now.advanced(by: .milliseconds(-$0.recordedMilliseconds)) }
        let context = MarkerContext(
            recordingStart: startDate ?? zero ?? now, recordingDuration: duration, now: now, knownIDs: knownIDs)
        return MarkerDesk(log: log, context: context, clock: options.clock, placed: logged)
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
    func accept(
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

    /// Warns, once, when a live transcoding run lags the wall clock (wall time elapsed since
    /// recording time 0 of the epoch, minus the media time reached). The metrics derive their
    /// own fall-behind and bitrate on a timer, which runs while the read loop is blocked.
    func sampleMetrics(session: RecordingSession, uptimeNanoseconds: UInt64, warnings: WarningCollector) {
        let media = session.latestMediaMilliseconds
        var lag: Int64?
        if spec.input.isLive, let zero = session.timeline.current?.recordingZero {
            lag = options.clock.now().millisecondsSince1970 - zero.millisecondsSince1970 - media
        }
        if let lag, session.transcoder != nil {
            fallBehind.warnIfNeeded(
                lagMilliseconds: lag, segmentMilliseconds: spec.output.segmentDuration.milliseconds, warnings: warnings)
        }
    }

    /// What the encoders did that the user should know: pictures that changed size, frames
    /// dropped for timestamps that did not increase, audio that changed format.
    private func reportTranscoding(_ transcoder: Transcoder, warnings: WarningCollector) {
        if transcoder.damagedPackets > 0 {
            warnings.add("\(transcoder.damagedPackets) damaged packet(s) of the input could not be decoded and were skipped")
        }
        for rendition in transcoder.renditions {
            guard let report = transcoder.reports[rendition.lane.name] else { continue }
            if report.droppedVideoFrames > 0 {
                warnings.add(
                    "rendition \(rendition.lane.name): \(report.droppedVideoFrames) decoded frame(s) without a later "
                        + "timestamp than the frame before were not encoded")
            }
            for change in report.audioChanges {
                warnings.add("rendition \(rendition.lane.name): the input's audio changes (\(change)); it is resampled")
            }
        }
    }

    /// After an output failure (a full disk): the markers acknowledged since the last packet go
    /// to the session first, so that the final playlists it salvages carry every accepted marker
    /// whose start lies inside the recording, and the log records the closes it decides.
    func salvage(_ session: RecordingSession) {
        let desk = markerDesk.withLock { $0 }
        if let desk {
            for command in desk.drain() { apply(command, to: session) }
        }
        for close in session.salvage() {
            desk?.recordClose(id: close.id, durationMilliseconds: close.durationMilliseconds)
        }
    }

    func apply(_ command: MarkerDesk.Command, to session: RecordingSession) {
        switch command {
        case .add(let marker): session.add(marker)
        case .close(let id, let duration): _ = session.close(id: id, durationMilliseconds: duration)
        }
    }

    func describeOutputFailure(_ error: any Error, input: String) -> CuepointError {
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
