import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension Integration.Replay {
    /// The shoppable player (`index.html`) in real Chromium, driven by Selenium
    /// (`Tests/Support/player_check.py`): a replay served by `cuepoint serve`, and a live recording
    /// served by `cuepoint segment … --serve` while a product is pinned through the marker API.
    /// Screenshots go to `.build/test-artifacts/player/`.
    @Suite("Player in Chromium", .serialized, .ownThreads) struct Player {
        static var canRun: Bool {
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
                && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
                && python.map { (try? ExternalProgram.run($0, ["-c", "import selenium"]).status) == 0 } == true
        }
        /// The python3 on PATH, which has Selenium (`python3 -m pip install selenium`; Debian's own
        /// /usr/bin/python3 is kept for GStreamer's bindings).
        static var python: String? { ExternalProgram.which("python3") }
        static var script: String { Repository.root.appendingPathComponent("Tests/Support/player_check.py").path }
        static func artifacts(_ name: String) -> String {
            Repository.root.appendingPathComponent(".build/test-artifacts/player/\(name)").path
        }

        @Test(
            "replay: the card of the product on screen, none in a gap, the chapters menu, storyboard thumbnails, captions, keyboard, phone width",
            .enabled(if: Player.canRun, "needs chromium, chromium-driver (apt) and selenium (pip); scripts/setup.sh --test installs them"), .timeLimit(.minutes(4)))
        func replay() async throws {
            try await TemporaryDirectory.with(label: "player") { directory in
                let recording = try await recordWithMarkers(directory, container: .ts)
                let output = directory.appendingPathComponent("replay")
                var options = ReplayOptions()
                options.clips = .none
                options.storyboard?.intervalMilliseconds = 5000
                options.captions = [
                    CaptionSource(path: Repository.sampleMedia("captions.en.vtt").path, language: "en"),
                    CaptionSource(path: Repository.sampleMedia("captions.fr.srt").path, language: "fr"),
                ]
                _ = try await exportReplay(recording, to: output, options: options)
                let python = try #require(Self.python)
                // Chromium takes seconds: off the cooperative pool, which other suites' servers need.
                let check = try await offThePool {
                    let server = try ServedDirectory(output)
                    defer { server.stop() }
                    return try ExternalProgram.run(
                        python,
                        [
                            Self.script, "replay", "http://127.0.0.1:\(server.port)/index.html", "--sources", "hls,mp4",
                            "--card", "p-0001@2.0", "--card", "p-0003@7.75", "--card", "p-0004@13.0", "--card", "p-0005@15.5",
                            "--gap", "12.4", "--chapter", "p-0005", "--click-product", "p-0003", "--storyboard", "11",
                            "--keyboard", "--captions", "--phone", "p-0004@13.0", "--screenshots", Self.artifacts("replay"),
                        ])
                }
                try #require(check.status == 0, "player_check.py: \(check.stderrText)")
                let report = try #require(try JSONSerialization.jsonObject(with: check.stdout) as? [String: Any])
                let runs = report["runs"] as? [[String: Any]] ?? []
                #expect(runs.map { $0["source"] as? String } == ["hls", "mp4"])
                let products = try ExpectedMarker.sampleProducts().sorted { $0.startMilliseconds < $1.startMilliseconds }
                for run in runs {
                    let source = run["source"] as? String ?? "?"
                    let state = run["state"] as? [String: Any] ?? [:]
                    #expect(state["videoError"] is NSNull, "\(source)")
                    #expect(abs((state["duration"] as? Double ?? 0) - 20) < 0.1, "\(source): \(state)")
                    #expect((run["chapters"] as? [[String: Any]])?.map { $0["id"] as? String } == products.map(\.id))
                    #expect(run["products"] as? [String] == products.map(\.id))
                    // Seek to a product's start + 0.5 s: its card, with its title and its price in its currency.
                    let cards = run["cards"] as? [[String: Any]] ?? []
                    let expected: [(String, String)] = [
                        ("p-0001", "$89.00"), ("p-0003", "₪149.90"), ("p-0004", "€29.00"), ("p-0005", "£19.99"),
                    ]
                    #expect(cards.map { $0["id"] as? String } == expected.map(\.0), "\(source)")
                    for (card, (id, price)) in zip(cards, expected) {
                        let marker = try #require(products.first { $0.id == id })
                        #expect(card["title"] as? String == marker.title, "\(source) \(id)")
                        #expect(card["price"] as? String == price, "\(source) \(id)")
                        #expect(card["buy"] as? String == marker.url, "\(source) \(id)")
                        #expect(card["insideVideo"] as? Bool == true, "\(source) \(id)")
                    }
                    // A gap between products (p-0003 ends at 12.25 s, p-0004 starts at 12.5 s): no card.
                    #expect((run["gap"] as? [String: Any])?["card"] is NSNull, "\(source)")
                    let chapter = run["chapterSeek"] as? [String: Any] ?? [:]
                    #expect(abs((chapter["currentTime"] as? Double ?? -1) - 15) < 0.5 && chapter["menuClosed"] as? Bool == true)
                    #expect(abs(((run["productSeek"] as? [String: Any])?["currentTime"] as? Double ?? -1) - 7.25) < 0.5)
                    // Keyboard: Enter opens the menu on the current chapter, ArrowDown and Enter seek, Escape closes.
                    let keyboard = run["keyboard"] as? [String: Any] ?? [:]
                    #expect(keyboard["focusedOnOpen"] as? String == "p-0003" && keyboard["focusedAfterArrow"] as? String == "p-0004")
                    #expect(abs((keyboard["currentTime"] as? Double ?? -1) - 12.5) < 0.5)
                    #expect(keyboard["focusBackOnButton"] as? Bool == true && keyboard["escapeCloses"] as? Bool == true)
                    // The scrub bar at 11 s shows the tile of 10–16 s.
                    let storyboard = run["storyboard"] as? [String: Any] ?? [:]
                    // (The pointer lands on a whole pixel: 11 s give or take a few hundredths.)
                    #expect(storyboard["tile"] as? String == "storyboard.jpg#320,0", "\(storyboard)")
                    #expect(["00:10", "00:11"].contains(storyboard["time"] as? String ?? ""), "\(storyboard)")
                    #expect(storyboard["width"] as? String == "160px" && storyboard["position"] as? String == "-320px 0px")
                    let captions = run["captions"] as? [[String: Any]] ?? []
                    #expect(captions.map { $0["language"] as? String } == ["en", "fr"])
                    #expect(captions.map { $0["cues"] as? Int } == [5, 5])
                    #expect(captions.last?["first"] as? String == "Bienvenue aux soldes de printemps !")
                    // At phone width the page does not scroll sideways and the card stays on the video.
                    let phone = run["phone"] as? [String: Any] ?? [:]
                    #expect(phone["innerWidth"] as? Int == 390)
                    #expect((phone["scrollWidth"] as? Int ?? 999) <= 390, "\(phone)")
                    #expect(((phone["card"] as? [String: Any])?["insideVideo"] as? Bool) == true, "\(phone)")
                    #expect((run["messages"] as? [String])?.isEmpty == true, "\(run["messages"] ?? "")")
                }
                #expect(((report["screenshots"] as? [String])?.count ?? 0) >= 10)
            }
        }

        @Test(
            "live: the page follows the live playlist and shows the product pinned through the marker API",
            .enabled(if: Player.canRun && ExternalProgram.which("ffmpeg") != nil, "needs ffmpeg, chromium, chromium-driver (apt) and selenium (pip); scripts/setup.sh --test installs them"), .timeLimit(.minutes(3)))
        func live() async throws {
            try await TemporaryDirectory.with(label: "player-live") { folder in
                let fifo = folder.appendingPathComponent("input.ts")
                let feeder = try FFmpegFeeder.start(media: URL(fileURLWithPath: SampleInput.ts.path), fifo: fifo, loops: 2)
                defer { feeder.stop() }
                let tokenVariable = "CUEPOINT_TEST_PLAYER_TOKEN"
                let token = "pin-\(UUID().uuidString)"
                let show = try await offThePool {
                    try ServedLiveShow(fifo: fifo, folder: folder, tokenVariable: tokenVariable, token: token)
                }
                defer { show.stop() }
                let api = show.root
                let marker = #"{"id":"pin-1","product":"SKU-PIN","title":"Pinned Skillet 28 cm","url":"https://shop.example/p/skillet","price":49.5,"currency":"EUR"}"#
                // The servers are processes of their own: waiting here blocks nothing they need.
                let check = try await Program.run(
                    "/usr/bin/env",
                    [
                        "\(tokenVariable)=\(token)", try #require(Self.python), Self.script, "live", show.playerURL,
                        "--api", api, "--token-env", tokenVariable, "--marker", marker, "--timeout", "60",
                        "--screenshots", Self.artifacts("live"),
                    ])
                try #require(check.status == 0, "player_check.py live: \(check.stderrText)")
                let report = try #require(try JSONSerialization.jsonObject(with: check.stdout) as? [String: Any])
                #expect(report["status"] as? Int == 201)
                #expect(report["cardBefore"] is NSNull, "no card before the pin")
                let target = Double(report["targetDuration"] as? Int ?? 0)
                let toPlaylist = try #require(report["secondsToPlaylist"] as? Double, "the DATERANGE never reached the playlist")
                let toCard = try #require(report["secondsToCard"] as? Double)
                #expect(toPlaylist <= 2 * target, "the DATERANGE within two target durations: \(toPlaylist) s, TD \(target) s")
                #expect(toCard <= 2 * target + 2, "the card within two target durations and a poll: \(toCard) s")
                let card = report["card"] as? [String: Any] ?? [:]
                #expect(card["title"] as? String == "Pinned Skillet 28 cm" && card["price"] as? String == "€49.50")
                #expect((report["state"] as? [String: Any])?["source"] as? String == "live")
            }
        }
    }
}
