import CoreMetrics
import CuepointFFmpeg
import CuepointHLS
import CuepointTime
public import Foundation
import NIOConcurrencyHelpers

/// Runs one pipeline: opens the input, segments it into every rendition, publishes the
/// playlists after each segment, and finalises the recording.
///
/// ``runBlocking()`` blocks: call it on a thread of its own (never on Swift's cooperative pool),
/// or use ``record()``, which starts one, or run the runner as a `Service` in a `ServiceGroup`
/// (``run()``: graceful shutdown stops it). ``stop()`` may be called from any thread; the run
/// then closes the open segment, publishes final playlists and returns normally.
public final class PipelineRunner: Sendable {
    public let spec: PipelineSpec
    /// Where the recording is written: by default `<output.directory>/<name>`.
    public let directory: URL
    let options: RunOptions
    let interrupt = InterruptPolicy()
    let markerDesk = NIOLockedValueBox<MarkerDesk?>(nil)
    /// How the last run as a service ended (``outcome``).
    let lastOutcome = NIOLockedValueBox<Result<RunSummary, CuepointError>?>(nil)
    /// Where the run is with its input (``phase``).
    let currentPhase = NIOLockedValueBox<InputPhase>(.starting)
    /// Which path reads the input (set when it is opened).
    let readPath = NIOLockedValueBox<ReadPath>(.demuxer)
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
    /// and final playlists are published. A resumed recording whose input had not come back
    /// ends as the earlier run left it.
    public func stop() { interrupt.cancel() }

    /// Stops the run as ``stop()`` does, except that a resumed recording that got no input since
    /// the restart is left unfinished, for the next start to resume: what a server that stops
    /// for a restart wants (`cuepoint server` on SIGTERM), not what ends a show.
    public func stopForRestart() {
        keepsResumedOpen.withLockedValue { $0 = true }
        interrupt.cancel()
    }

    /// Set by ``stopForRestart()``.
    let keepsResumedOpen = NIOLockedValueBox(false)

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

    /// Where the run is with its input now: waiting for a source, live, waiting for it to come
    /// back, finalising; `starting` before the first run, `ended` after a run.
    public var phase: InputPhase { currentPhase.withLockedValue { $0 } }

    func enter(_ phase: InputPhase) { currentPhase.withLockedValue { $0 = phase } }

    /// The markers accepted so far.
    public var markers: [PlacedMarker] { markerDesk.withLockedValue { $0?.markers ?? [] } }

    /// Whether ``addMarker(_:)`` can take markers now: the pipeline runs and has a `markers`
    /// section.
    public var acceptsMarkers: Bool { markerDesk.withLockedValue { $0 != nil } }

    private func runningDesk() throws(MarkerProblems) -> MarkerDesk {
        guard let desk = markerDesk.withLockedValue({ $0 }) else {
            throw MarkerProblems([
                MarkerProblem(
                    source: "api",
                    message: spec.markers == nil
                        ? "the pipeline has no `markers` section" : "the pipeline is not running")
            ])
        }
        return desk
    }

    /// Runs the pipeline on a thread of its own (never on Swift's cooperative pool) and returns
    /// how it ended, when the input ends or after ``stop()``. As a `Service` (``run()``), the
    /// runner does the same and stops on graceful shutdown.
    ///
    /// It does not throw on purpose: Swift 6.3.1 at `-O` miscompiles a call to an
    /// `async throws(CuepointError)` function inside a `withTaskGroup` child closure (with or
    /// without `do throws(…)` around it), and the parent then reads the child's result from the
    /// wrong place: a garbage index (the SIGILL of `cuepoint run A.yaml B.yaml …` on SIGINT) or a
    /// group that reports no result at all. Debug builds are not affected; an async function that
    /// does not throw is compiled correctly.
    public func record() async -> Result<RunSummary, CuepointError> {
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
        enter(.starting)
        defer { enter(.ended) }
        if let problem = spec.output.partProblem {
            throw CuepointError(subject: "output.part", message: problem)
        }
        if spec.output.partDuration != nil, spec.renditions.contains(where: \.transcodes) {
            throw CuepointError(
                subject: "output.part", message: "LL-HLS parts are cut for copy renditions only; this pipeline transcodes",
                fix: "leave out `output.part` (--part), or make every rendition `copy: true`")
        }
        let warnings = WarningCollector(logger: options.logger, report: options.warning)
        let local = DirectoryStore(root: directory)
        // Before any input is read and anything is written: every publish target must answer.
        let publication = try Publication.open(
            spec.output.publish, segmentDuration: spec.output.segmentDuration, environment: options.environment,
            logger: options.logger, warnings: warnings, metrics: metrics)
        guard let publication else {
            var summary = try record(local: local, replicas: nil, publication: nil, warnings: warnings)
            summary.replay = try exportReplay(summary: summary, publication: nil, published: [], warnings: warnings)
            return summary
        }
        let replicas = ReplicatingStore(local: local, replicators: publication.replicators)
        let recorded: Result<RunSummary, CuepointError>
        do {
            recorded = .success(try record(local: local, replicas: replicas, publication: publication, warnings: warnings))
        } catch {
            recorded = .failure(error)
        }
        // Whatever happened, what was recorded goes to the stores (within each target's timeout).
        let published = publication.finish()
        // Files kept locally for a replica that has them now.
        try? replicas.remove([])
        var summary = try recorded.get()
        summary.publishing = published
        summary.replay = try exportReplay(
            summary: summary, publication: publication, published: published, warnings: warnings)
        summary.warnings = warnings.all
        return summary
    }

    /// Records the input into `local` (through `replicas` when the run publishes).
    private func record(
        local: DirectoryStore, replicas: ReplicatingStore?, publication: Publication?, warnings: WarningCollector
    ) throws(CuepointError) -> RunSummary {
        if let replay = spec.replay {
            // Fail before recording rather than after it when the replay would be refused.
            try checkReplayDestination(replay, publication: publication)
        }
        let input = spec.input
        let live = LiveInput.applies(to: input) ? LiveInput(spec: input) : nil
        // Caption files are read before the show: each problem is reported by file and line, and a
        // language whose file cannot be read is left out while the recording goes on.
        let captions = CaptionTrack.load(spec.captions, for: "the recording")
        for note in captions.notes { warnings.add(note) }
        // Before any input is read: resume an unfinished live recording, or refuse to touch one.
        let store: any Store = replicas ?? local
        let resumed = try resumeOrClear(local: local, publication: publication, warnings: warnings)
        guard var opened = try openInput(live: live, warnings: warnings) else {
            if let resumed, !keepsResumedOpen.withLockedValue({ $0 }) {
                return try finishResumedWithoutInput(
                    resumed, store: store, local: local, replicas: replicas, warnings: warnings)
            }
            return RunSummary(directory: directory, renditions: [], warnings: warnings.all, stopped: true, replay: nil)
        }
        enter(.live)
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
            try store.prepare(
                folders: plan.renditions.map(\.name)
                    + captions.tracks.map { RecordingLayout.subtitleFolder(language: $0.language) })
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
        if !captions.tracks.isEmpty {
            do {
                try publisher.startSubtitles(captions.tracks, resumed: resumed)
            } catch {
                throw CuepointError(subject: error.path, message: "cannot write the subtitles: \(error.reason)", fix: error.fix)
            }
        }
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
                store: local, replicas: replicas, startDate: startDate, duration: isLive ? nil : opened.duration, resumed: resumed,
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
            markerDesk.withLockedValue { $0 = desk }
        }
        defer {
            markerDesk.withLockedValue { desk in
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
        enter(.finalising)
        do {
            let closedAtEnd = try session.finish(complete: reading.failure == nil)
            // The log says what the playlists say: open markers ended with the recording.
            if let desk = markerDesk.withLockedValue({ $0 }) {
                for close in closedAtEnd { desk.recordClose(id: close.id, durationMilliseconds: close.durationMilliseconds) }
            }
        } catch {
            salvage(session)
            throw describeOutputFailure(error, input: inputName)
        }
        if let transcoder { reportTranscoding(transcoder, warnings: warnings) }
        warnings.reportCounts()
        let summary = RunSummary(
            directory: directory,
            renditions: zip(publisher.renditions, plan.renditions).map { Self.summary(of: $0, transcoded: !$1.copy) },
            warnings: warnings.all, stopped: reading.stopped, readPath: readPath.withLockedValue { $0 })
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
        return summary
    }

    /// Where the `replay:` package goes: `replay.directory`, or `<name>-replay` beside the recording.
    func replayDirectory(_ replay: ReplaySpec) -> String {
        replay.directory ?? directory.deletingLastPathComponent().appendingPathComponent("\(spec.name)-replay").path
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
