import CuepointTestSupport
import CuepointHLS
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension Integration.ProductMarkers {
    /// `cuepoint segment --serve` on a live input (a FIFO fed in real time by the `ffmpeg`
    /// program) with the marker API on, and `cuepoint markers add|close --server` as its client:
    /// the marker reaches the served live playlist over HTTP, `markers.jsonl` and `/metrics`;
    /// SIGINT still closes the open segment, exits 0 and stops the server.
    @Suite("Marker API through the command line", .ownThreads)
    struct ServeCommandLine {
        static var ffmpeg: String? { ExternalProgram.which("ffmpeg") }
        static let tokenVariable = "CUEPOINT_TEST_MARKER_TOKEN"
        static let token = "live-\(UUID().uuidString)"
        static let marker =
            #"{"id":"srv-1","title":"Served \"Deal\" 👩‍🍳","url":"https://shop.example/p/srv","price":12.5,"currency":"EUR","duration":1.5}"#

        /// What the calls made while the job ran saw; checked once it has ended.
        struct Observations {
            var problem: String?
            var root: String?
            var refused: CuepointCLI.Result?
            var added: CuepointCLI.Result?
            /// The live playlist that first listed srv-1, and how long after the add.
            var served: String?
            var secondsToServe: Double?
            var lastServed = ""
            var metrics: (status: Int?, body: String) = (nil, "")
            var opened: CuepointCLI.Result?
            var closed: CuepointCLI.Result?
            var closedAgain: CuepointCLI.Result?
            var exitedAfterInterrupt = false
            var healthAfterExit: Int?
        }

        /// A GET over HTTP, blocking: the status (nil: no answer) and the body.
        static func get(_ url: String) -> (status: Int?, body: String) {
            guard let address = URL(string: url) else { return (nil, "") }
            let request = URLRequest(url: address, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 5)
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var result: (status: Int?, body: String) = (nil, "")
            URLSession.shared.dataTask(with: request) { data, response, _ in
                result = ((response as? HTTPURLResponse)?.statusCode, String(decoding: data ?? Data(), as: UTF8.self))
                done.signal()
            }.resume()
            done.wait()
            return result
        }

        /// Polls `condition` every 100 ms until it holds or `seconds` pass; blocking.
        static func poll(_ seconds: Double, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return condition()
        }

        /// The value of the sample `name{labels}` in Prometheus text.
        static func metric(_ text: String, _ series: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap {
                Double($0.split(separator: " ").last ?? "")
            }
        }

        static func client(_ arguments: [String], root: String, token: String = token) -> CuepointCLI.Result? {
            try? CuepointCLI.run(
                ["markers"] + arguments.prefix(1) + ["--server", root, "--token-env", tokenVariable]
                    + arguments.dropFirst(),
                environment: [tokenVariable: token])
        }

        /// The calls a user makes while the job runs, in order, then SIGINT. Blocking: it runs on
        /// a thread of its own, so a cooperative pool kept busy by other tests cannot delay the
        /// calls past the end of the input.
        static func drive(_ server: Process, stdout: URL, printed: () -> String) -> Observations {
            var seen = Observations()
            // The bound port, from the "serving … on http://127.0.0.1:PORT/" line.
            _ = poll(30) {
                let text = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
                seen.root = text.firstMatch(of: /on (http:\/\/127\.0\.0\.1:[0-9]+)\//).map { String($0.1) }
                return seen.root != nil
            }
            guard let root = seen.root else {
                seen.problem = "no serving line within 30 s:\n\(printed())"
                return seen
            }
            let livePlaylist = root + "/source/live.m3u8"
            guard poll(30, { get(livePlaylist).status == 200 }) else {
                seen.problem = "no live playlist was served within 30 s:\n\(printed())"
                return seen
            }
            seen.refused = client(
                ["add", #"{"title":"X","url":"https://shop.example/x"}"#], root: root, token: "wrong")
            seen.added = client(["add", marker], root: root)
            let addedAt = Date()
            // In the served live playlist within a few seconds (the next segment is 2 s long).
            if poll(
                15,
                {
                    seen.lastServed = get(livePlaylist).body
                    return seen.lastServed.contains(#"#EXT-X-DATERANGE:ID="srv-1""#)
                })
            {
                seen.served = seen.lastServed
                seen.secondsToServe = Date().timeIntervalSince(addedAt)
            }
            seen.metrics = get(root + "/metrics")
            seen.opened = client(
                ["add", #"{"id":"srv-2","title":"Open","url":"https://shop.example/p/open"}"#], root: root)
            seen.closed = client(["close", "srv-2"], root: root)
            seen.closedAgain = client(["close", "srv-2"], root: root)
            server.interrupt()
            seen.exitedAfterInterrupt = poll(30) { !server.isRunning }
            if seen.exitedAfterInterrupt { seen.healthAfterExit = get(root + "/healthz").status }
            return seen
        }

        @Test(
            "segment --live --serve --token-env; markers add|close --server; the marker served over HTTP within seconds",
            .enabled(if: ServeCommandLine.ffmpeg != nil, "needs the ffmpeg program"), .timeLimit(.minutes(3)))
        func markerThroughTheServer() async throws {
            try await TemporaryDirectory.with(label: "markers-serve") { folder in
                let fifo = folder.appendingPathComponent("input.ts")
                // Up to 60 s of input in real time (the sample three times); SIGINT ends the job sooner.
                let feeder = try FFmpegFeeder.start(media: URL(fileURLWithPath: SampleInput.ts.path), fifo: fifo, loops: 2)
                defer { feeder.stop() }

                // The job and its server; what it prints goes to files read while it runs.
                let output = folder.appendingPathComponent("recording")
                let stdoutURL = folder.appendingPathComponent("stdout"),
                    stderrURL = folder.appendingPathComponent("stderr")
                _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
                _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
                let out = try FileHandle(forWritingTo: stdoutURL), err = try FileHandle(forWritingTo: stderrURL)
                defer { try? out.close(); try? err.close() }
                let server = Process()
                server.executableURL = try CuepointCLI.executable()
                server.arguments = [
                    "segment", "file://" + fifo.path, "-o", output.path, "--live", "--segment", "2s",
                    "--serve", "127.0.0.1:0", "--token-env", Self.tokenVariable,
                ]
                server.environment = ProcessInfo.processInfo.environment.merging([Self.tokenVariable: Self.token]) {
                    $1
                }
                server.standardInput = FileHandle.nullDevice
                server.standardOutput = out
                server.standardError = err
                try server.run()
                defer {
                    if server.isRunning { server.terminate() }
                    server.waitUntilExit()
                }
                @Sendable func printed() -> String {
                    let text = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
                    let errors = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
                    return "--- stdout\n\(text)--- stderr\n\(errors)"
                }

                let seen = await withCheckedContinuation { continuation in
                    Thread { continuation.resume(returning: Self.drive(server, stdout: stdoutURL, printed: printed)) }
                        .start()
                }
                if let problem = seen.problem { Issue.record(Comment(rawValue: problem)) }
                guard seen.problem == nil else { return }

                // A wrong token: one line with the status, exit 1.
                let refused = try #require(seen.refused)
                #expect(refused.status == 1, "\(refused)")
                #expect(
                    refused.errorLines.count == 1 && refused.stderr.contains("401 ")
                        && refused.stderr.contains("token"), "\(refused)")

                // The marker, as a user posts it (start: now), served within seconds.
                let added = try #require(seen.added)
                #expect(added.status == 0 && added.stdout.hasPrefix("added srv-1 at "), "\(added)")
                let served = try #require(
                    seen.served, "srv-1 not in live.m3u8 within 15 s:\n\(seen.lastServed)\n\(printed())")
                #expect((seen.secondsToServe ?? 99) < 8, "published with the next segment or the one after")
                let range = try #require(
                    try MediaPlaylist(parsing: served).segments.flatMap(\.dateRanges).first { $0.id == "srv-1" })
                #expect(range.durationMilliseconds == 1_500)

                // /metrics: one marker accepted from the API, segments written, a live input.
                #expect(seen.metrics.status == 200)
                #expect(
                    Self.metric(seen.metrics.body, #"cuepoint_markers_accepted_total{source="api"}"#) == 1,
                    "\(seen.metrics.body)")
                #expect((Self.metric(seen.metrics.body, #"cuepoint_segments_total{rendition="source"}"#) ?? 0) > 0)
                #expect(Self.metric(seen.metrics.body, "cuepoint_input_live") == 1)

                // An open marker closed through the client; a second close is refused.
                #expect(seen.opened?.status == 0, "\(seen.opened.map(\.description) ?? "not run")")
                let closed = try #require(seen.closed)
                #expect(closed.status == 0 && closed.stdout.hasPrefix("closed srv-2 after "), "\(closed)")
                let again = try #require(seen.closedAgain)
                #expect(again.status == 1 && again.stderr.contains("409 ") && again.errorLines.count == 1, "\(again)")

                // SIGINT: the open segment is closed, the command exits 0, the server stops.
                try #require(seen.exitedAfterInterrupt, "the job did not end within 30 s of SIGINT:\n\(printed())")
                #expect(server.exitStatus == 0, "\(printed())")
                #expect(printed().contains("master playlist: "), "\(printed())")
                #expect(seen.healthAfterExit == nil, "the server stopped with the job")
                let errors = printed().split(separator: "\n").filter {
                    $0.hasPrefix("cuepoint:") && !$0.hasPrefix("cuepoint: warning: ")
                }
                #expect(errors.isEmpty, "no error was printed:\n\(printed())")

                let index = try String(contentsOf: output.appendingPathComponent("source/index.m3u8"), encoding: .utf8)
                #expect(index.hasSuffix("#EXT-X-ENDLIST\n"))
                // srv-2 has one tag, or two (open, then closed) when a segment was published between.
                let ids = try MediaPlaylist(parsing: index).segments.flatMap(\.dateRanges).map(\.id)
                #expect(ids.contains("srv-1") && ids.contains("srv-2"), "\(ids)")
                let events = try MarkerLogEvent.read(output)
                #expect(events.map { "\($0.event) \($0.id ?? "?")" } == ["add srv-1", "add srv-2", "close srv-2"])
                #expect(events.first?.marker?["title"] as? String == #"Served "Deal" 👩‍🍳"#)
            }
        }
    }
}
