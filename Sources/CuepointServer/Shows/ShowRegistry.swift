public import Cuepoint
import CuepointTime
import Dispatch
public import Foundation
public import Logging
public import Metrics
public import ServiceLifecycle
import NIOConcurrencyHelpers

/// The shows of a server: creates them from pipeline documents, runs each pipeline on a thread
/// of its own, ends and removes them, and keeps each show's record in the data directory so a
/// restarted server resumes the unfinished ones.
///
/// The flow of one show:
///
///     create (document) ──► record + document saved ──► run: its input, or
///        the server's RTMP port (rtmp://HOST:PORT/live/KEY), or the source a publish hook names
///            ──► waiting_for_publisher ─► live ⇄ reconnect_wait ─► finalising ─► finished / failed
///
/// As a `Service`, the registry runs every show's pipeline in one task group; a graceful
/// shutdown stops each (the open segment closes, playlists are final) and returns once all
/// have finished. A show is started as soon as it can take its input; a show that waits
/// longer than ``ShowServerConfiguration/publisherWait`` for its first publisher fails.
public actor ShowRegistry: Service {
    public nonisolated let configuration: ShowServerConfiguration
    nonisolated let layout: ShowLayout
    /// The RTMP port every show's publisher may use (`--rtmp`); nil without one.
    public nonisolated let listener: SharedRTMPListener?
    /// Where the shows' pipelines record their metrics (labelled `show`).
    nonisolated let metricsFactory: (any MetricsFactory)?
    nonisolated let logger: Logger
    private var shows: [String: Show] = [:]
    /// Pipeline files of the shows directory, by path: the modification date read last.
    private var directoryFiles: [String: Date] = [:]
    private nonisolated let starts: AsyncStream<(Show, PipelineRunner)>
    private nonisolated let startsInput: AsyncStream<(Show, PipelineRunner)>.Continuation
    private var stopping = false

    /// - Parameters:
    ///   - listener: the server's RTMP port; shows without an input take their publisher there.
    ///   - metricsFactory: where pipelines record metrics; nil: `MetricsSystem.factory`.
    public init(
        configuration: ShowServerConfiguration, listener: SharedRTMPListener?, metricsFactory: (any MetricsFactory)?,
        logger: Logger
    ) {
        self.configuration = configuration
        self.layout = ShowLayout(dataDirectory: configuration.dataDirectory)
        self.listener = listener
        self.metricsFactory = metricsFactory
        self.logger = logger
        (starts, startsInput) = AsyncStream.makeStream()
    }

    // MARK: - Running

    /// Restores the shows kept in the data directory, then runs every show's pipeline until a
    /// graceful shutdown (or cancellation), which stops them all and waits for their recordings
    /// to be finalised.
    public func run() async throws {
        restore()
        await withDiscardingTaskGroup { group in
            group.addTask {
                try? await gracefulShutdown()
                await self.stopAll()
            }
            group.addTask { await self.watch() }
            for await (show, runner) in starts {
                group.addTask {
                    let outcome = await runner.record()
                    await self.ended(show, runner: runner, outcome: outcome)
                }
            }
        }
    }

    /// Stops every show and takes no new one.
    func stopAll() {
        stopping = true
        startsInput.finish()
        for show in shows.values { show.stop(.shutdown) }
    }

    /// Checks, every poll interval until the server stops, the publisher waits and the shows directory.
    private func watch() async {
        let interval = Duration.milliseconds(max(50, configuration.pollInterval.milliseconds))
        while !stopping {
            expireWaits(now: DispatchTime.now().uptimeNanoseconds)
            if configuration.showsDirectory != nil { readShowsDirectory() }
            try? await Task.sleep(for: interval)
        }
    }

    // MARK: - Shows

    /// Every show, by id.
    public var all: [ShowSnapshot] { shows.keys.sorted().compactMap { shows[$0].map(snapshot) } }

    /// One show; nil when there is none with this id.
    public func show(_ id: String) -> ShowSnapshot? { shows[id].map(snapshot) }

    /// The marker API of show `id`: its token, and its running pipeline (or an endpoint that
    /// says why it takes no markers now); nil when there is no such show.
    public func markerAPI(_ id: String) -> MarkerAPI? {
        guard let show = shows[id] else { return nil }
        let endpoint: any MarkerEndpoint =
            show.runner ?? IdleShowEndpoint(reason: "the show has no publisher yet; markers are taken while it runs")
        return MarkerAPI(token: show.record.markerToken, endpoint: endpoint, products: show.products)
    }

    /// Whether show `id` has a console now: a show that is waiting or live has one; a show that
    /// is over, or none, gets a page saying so.
    func consoleAvailability(_ id: String) -> ConsoleRoutes.Availability {
        guard let show = shows[id] else {
            return .unavailable(
                .noShow, problem: "There is no show \"\(EchoedText.value(id, limit: 64))\" on this server.",
                fix: "List the shows with GET /v1/shows (admin token) and open /shows/ID/console of a live one.")
        }
        let state = snapshot(show).state
        guard !state.isOver else {
            return .unavailable(
                .over,
                problem: "The show \"\(id)\" is \(state.name.replacingOccurrences(of: "_", with: " ")): the console pins products during a live show.",
                fix: "Its replay is at /shows/\(id)/replay/ once made; create a new show (POST /v1/shows) to go live again.")
        }
        return .live(title: id, base: "/shows/\(id)/")
    }

    /// Where show `id` records, and its replay package; nil when there is no such show.
    public func folders(_ id: String) -> (recording: URL, replay: URL?, partStore: PartStore?)? {
        guard let show = shows[id] else { return nil }
        return (recordingDirectory(show.spec), replayDirectory(show.spec), show.runner?.partStore)
    }

    /// Creates a show from a pipeline document (YAML or JSON) and starts it when it can take
    /// its input.
    ///
    /// - Parameters:
    ///   - document: the pipeline document; its `name` is the show's id. Without `input`, the
    ///     show takes its publisher on the RTMP port or through a publish hook; without
    ///     `output.directory`, it records under the data directory.
    ///   - json: whether the document is JSON (kept as `pipeline.json`, else `pipeline.yaml`).
    ///   - file: the pipeline file it came from (shows directory), for messages.
    /// - Throws: ``ShowError``: an invalid document (every problem), a duplicate id, a storage failure.
    @discardableResult
    public func create(document: String, json: Bool = false, file: String? = nil) throws(ShowError) -> ShowSnapshot {
        guard !stopping else { throw .stopping }
        let streamKey = ShowSecret.make()
        let spec = try decode(document, streamKey: streamKey, fileName: file ?? "body")
        let catalogue = try configuredCatalogue(spec, fileName: file ?? "body")
        guard shows[spec.name] == nil else { throw .duplicate(spec.name) }
        if FileManager.default.fileExists(atPath: layout.folder(of: spec.name).path) {
            // Kept by an earlier server but not restored (unreadable): never overwritten.
            throw .duplicate(spec.name)
        }
        let record = ShowRecord(
            id: spec.name, streamKey: streamKey, markerToken: ShowSecret.make(),
            createdAt: ISO8601DateFormatter().string(from: Date()), source: file == nil ? "api" : "directory",
            document: json ? "pipeline.json" : "pipeline.yaml", takesPublisher: spec.input == serverInput(streamKey: streamKey),
            hookSource: nil, state: ShowRecord.active, failure: nil, file: file)
        do {
            try layout.saveDocument(document, named: record.document, of: record.id)
            try layout.save(record)
        } catch {
            try? layout.remove(record.id)
            throw .storage("cannot keep show \"\(record.id)\" in \(layout.folder(of: record.id).path): \(error)")
        }
        let show = Show(
            record: record, spec: spec, document: document,
            products: ProductCatalogueStore(catalogue, file: catalogueFile(spec)))
        shows[show.id] = show
        logger.info("show \(show.id) created (\(record.source))")
        startIfReady(show)
        return snapshot(show)
    }

    /// Ends show `id`: its pipeline finalises the recording (and writes its replay when the
    /// document asks for one). A show without a run (no publisher yet) is finished at once.
    ///
    /// - Throws: ``ShowError``: no such show, or it is over already.
    @discardableResult
    public func end(_ id: String) throws(ShowError) -> ShowSnapshot {
        guard let show = shows[id] else { throw .unknown(id) }
        let state = show.current
        guard !state.isOver else { throw .over(id, state) }
        if show.runner == nil {
            finish(show, .finished)
        } else {
            show.stop(.ended)
        }
        logger.info("show \(id) ended through the API")
        return snapshot(show)
    }

    /// Removes a finished or failed show: its record, its document and, when it recorded under
    /// the data directory, its recording and replay.
    ///
    /// - Returns: whether the recording was removed too (false when the document named its own
    ///   `output.directory`, which the server never deletes).
    /// - Throws: ``ShowError``: no such show, it is not over, or the files could not be removed.
    @discardableResult
    public func delete(_ id: String) throws(ShowError) -> Bool {
        guard let show = shows[id] else { throw .unknown(id) }
        let state = show.current
        guard state.isOver else { throw .notOver(id, state) }
        let recording = recordingDirectory(show.spec).standardizedFileURL
        let owned = recording.path.hasPrefix(layout.recordingsFolder.standardizedFileURL.path + "/")
        do {
            if owned {
                if FileManager.default.fileExists(atPath: recording.path) {
                    try FileManager.default.removeItem(at: recording)
                }
                if let replay = replayDirectory(show.spec), FileManager.default.fileExists(atPath: replay.path) {
                    try FileManager.default.removeItem(at: replay)
                }
            }
            try layout.remove(id)
        } catch {
            throw .storage("cannot remove show \"\(id)\": \(error)")
        }
        shows[id] = nil
        logger.info("show \(id) removed")
        return owned
    }

    // MARK: - Starting and ending runs

    /// Starts the show's pipeline when its input is known: its own, the RTMP port, or the
    /// source a publish hook gave; a show waiting for a hook is left as it is.
    private func startIfReady(_ show: Show) {
        let record = show.record
        guard record.keptState == nil, show.runner == nil else { return }
        var spec = show.spec
        if record.takesPublisher {
            if let source = record.hookSource {
                spec.input = pulledInput(source)
            } else if listener == nil {
                return
            }
        }
        start(show, spec: spec)
    }

    private func start(_ show: Show, spec: PipelineSpec) {
        guard !stopping else { return }
        var options = RunOptions()
        var logger = self.logger
        logger[metadataKey: "pipeline"] = "\(show.id)"
        options.logger = logger
        // Weak: the show holds its runner (attach), and the runner holds these closures; a strong
        // capture made a cycle that kept every show and its run alive after it was deleted
        // (LeakSanitizer, scripts/sanitize.sh address).
        options.warning = { [weak show] in show?.warn($0) }
        options.progress = { [weak show] in show?.report($0) }
        options.metricsFactory = metricsFactory
        options.metricsDimensions = [("show", show.id)]
        let runner = PipelineRunner(spec: spec, directory: recordingDirectory(spec), options: options)
        show.attach(runner)
        startsInput.yield((show, runner))
    }

    /// Records how a run ended; a show whose file changed before it went live starts again.
    private func ended(_ show: Show, runner: PipelineRunner, outcome: Result<RunSummary, CuepointError>) {
        guard shows[show.id] === show else { return }
        if show.stopReason == .replaced { return }
        if show.stopReason == .shutdown, case .success(let summary) = outcome, summary.renditions.isEmpty {
            // Nothing was read since it started (no publisher yet, or not back after a restart):
            // kept as it is, so the next start waits for its publisher again and resumes.
            logger.info("show \(show.id) had no publisher when the server stopped; it waits again after a restart")
            return
        }
        let state = show.stateAfter(outcome)
        finish(show, state)
        switch state {
        case .failed(let reason): logger.warning("show \(show.id) failed: \(reason)")
        default: logger.info("show \(show.id) finished")
        }
    }

    /// Keeps `state` as the show's final state.
    private func finish(_ show: Show, _ state: ShowState) {
        let record = show.update { $0.keep(state) }
        save(record)
    }

    private func save(_ record: ShowRecord) {
        do {
            try layout.save(record)
        } catch {
            logger.error("cannot update \(layout.recordFile(of: record.id).path): \(error)")
        }
    }

    /// Ends, as failed, the shows that have waited longer than the publisher wait.
    private func expireWaits(now: UInt64) {
        let limit = configuration.publisherWait.milliseconds
        for show in shows.values {
            guard let waited = show.waitedMilliseconds(now: now), waited >= limit else { continue }
            let reason =
                "no publisher arrived within \(DurationText.format(configuration.publisherWait)); publish to the "
                + "show's ingest URL sooner, or raise publisher_wait"
            logger.warning("show \(show.id): \(reason)")
            if show.runner == nil {
                finish(show, .failed(reason))
            } else {
                show.stop(.failed(reason))
            }
        }
    }

    // MARK: - Restart

    /// Takes back the shows kept in the data directory: over ones as they are, unfinished
    /// ones started again (their recordings resume).
    private func restore() {
        let (kept, problems) = layout.load()
        for problem in problems { logger.warning("\(problem)") }
        for (record, document) in kept where shows[record.id] == nil {
            let spec: PipelineSpec
            do throws(ShowError) {
                spec = try decode(document, streamKey: record.streamKey, fileName: record.document)
            } catch {
                logger.warning("show \(record.id): its kept document no longer decodes: \(error)")
                continue
            }
            // A catalogue file that no longer reads leaves the show with the catalogue it kept
            // (or none), with a warning: the show itself still resumes.
            var configured = ProductCatalogue()
            do throws(ShowError) {
                configured = try configuredCatalogue(spec, fileName: record.document)
            } catch {
                logger.warning("show \(record.id): \(error)")
            }
            let (products, note) = ProductCatalogueStore.restoring(configured: configured, file: catalogueFile(spec))
            if let note { logger.notice("show \(record.id): \(note)") }
            let show = Show(record: record, spec: spec, document: document, products: products)
            shows[record.id] = show
            if let file = record.file, let date = Self.modificationDate(file) { directoryFiles[file] = date }
            if record.keptState == nil {
                logger.info("show \(record.id) was not finished: it resumes")
                startIfReady(show)
            }
        }
    }

    // MARK: - Documents

    /// Decodes a show's document with the server's defaults: the RTMP port (or a stand-in until
    /// a hook) as input, the data directory as output folder, and a marker section.
    private func decode(_ document: String, streamKey: String, fileName: String) throws(ShowError) -> PipelineSpec {
        let defaults = PipelineDefaults(
            input: serverInput(streamKey: streamKey), outputDirectory: layout.recordingsFolder.path)
        var spec: PipelineSpec
        do {
            spec = try PipelineFile.decode(document, fileName: fileName, environment: [:], defaults: defaults)
        } catch {
            throw .invalidDocument(error.problems.map(\.description))
        }
        // Every show has the marker API.
        if spec.markers == nil { spec.markers = MarkersSpec() }
        return spec
    }

    /// The input of a show that takes its publisher: the RTMP port, or, without one, a stand-in
    /// replaced by the source a publish hook names.
    private nonisolated func serverInput(streamKey: String) -> InputSpec {
        let url =
            listener?.inputURL(app: ShowServerConfiguration.rtmpApplication, key: streamKey)
            ?? "rtmp://127.0.0.1/\(ShowServerConfiguration.rtmpApplication)/\(streamKey)"
        return InputSpec(
            url: url, live: true, listen: listener != nil, reconnectWait: configuration.reconnectWait,
            rtmpServer: .cuepoint)
    }

    /// The input of a show whose publisher arrived at a streaming server in front: pulled from it.
    nonisolated func pulledInput(_ source: String) -> InputSpec {
        InputSpec(url: source, live: true, reconnectWait: configuration.reconnectWait)
    }

    /// The catalogue of the document's `console.products`; empty without one.
    ///
    /// - Throws: ``ShowError/invalidDocument(_:)`` naming every problem of the file.
    nonisolated func configuredCatalogue(_ spec: PipelineSpec, fileName: String) throws(ShowError) -> ProductCatalogue {
        guard let path = spec.console?.products else { return ProductCatalogue() }
        switch ProductCatalogue.load(path: path) {
        case .success(let catalogue):
            return catalogue
        case .failure(let problems):
            throw .invalidDocument(problems.problems.map { "\(fileName): console.products: \($0.description)" })
        }
    }

    /// Where the show's catalogue is kept: ``RecordingLayout/productCatalogue`` in its recording's folder.
    nonisolated func catalogueFile(_ spec: PipelineSpec) -> URL {
        recordingDirectory(spec).appendingPathComponent(RecordingLayout.productCatalogue)
    }

    nonisolated func recordingDirectory(_ spec: PipelineSpec) -> URL {
        URL(fileURLWithPath: spec.recordingDirectory, isDirectory: true)
    }

    nonisolated func replayDirectory(_ spec: PipelineSpec) -> URL? {
        guard let replay = spec.replay else { return nil }
        if let directory = replay.directory { return URL(fileURLWithPath: directory, isDirectory: true) }
        return recordingDirectory(spec).deletingLastPathComponent().appendingPathComponent("\(spec.name)-replay")
    }

    static func modificationDate(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    // MARK: - Internals for the other files of the registry

    func decodeKept(_ document: String, streamKey: String, fileName: String) throws(ShowError) -> PipelineSpec {
        try decode(document, streamKey: streamKey, fileName: fileName)
    }

    func lookup(_ id: String) -> Show? { shows[id] }
    var everyShow: [Show] { Array(shows.values) }
    var isStopping: Bool { stopping }
    func restartIfReady(_ show: Show) { startIfReady(show) }
    func keep(_ record: ShowRecord) { save(record) }
    func knownFiles() -> [String: Date] { directoryFiles }
    func noteFile(_ path: String, _ date: Date) { directoryFiles[path] = date }
    func replace(_ old: Show, with new: Show) {
        shows[new.id] = new
        old.stop(.replaced)
        startIfReady(new)
    }
}
