import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

extension Integration {
    /// The producer console (`/console`) in real Chromium, driven by Selenium
    /// (`Tests/Support/console_check.py`), against `cuepoint segment … --live --serve --products`
    /// fed in real time: a wrong token pins nothing; "Pin now" puts the product's DATERANGE in the
    /// live playlist and its card on the console and on a live player page; "Unpin" closes it.
    /// Screenshots go to `.build/test-artifacts/console/`.
    @Suite("Console in Chromium", .serialized, .ownThreads) struct Console {
        static var canRun: Bool { Replay.Player.canRun && ExternalProgram.which("ffmpeg") != nil }
        static var script: String { Repository.root.appendingPathComponent("Tests/Support/console_check.py").path }
        static func artifacts(_ name: String) -> String {
            Repository.root.appendingPathComponent(".build/test-artifacts/console/\(name)").path
        }
        static let catalogue = """
            [
              {"id": "SKU-PAN", "title": "Pinned Skillet 28 cm", "price": 49.5, "currency": "EUR",
               "url": "https://shop.example/p/skillet"},
              {"id": "SKU-MUG", "title": "Mug", "price": 9, "currency": "USD", "url": "https://shop.example/p/mug"}
            ]
            """

        @Test(
            "pin and unpin from the console: the DATERANGE within two target durations, the card on the console and the player; a wrong token pins nothing",
            .enabled(if: Console.canRun, "needs ffmpeg, chromium, chromium-driver (apt) and selenium (pip); scripts/setup.sh --test installs them"),
            .timeLimit(.minutes(4)))
        func pinAndUnpin() async throws {
            try await TemporaryDirectory.with(label: "console") { folder in
                let products = folder.appendingPathComponent("products.json")
                try Self.catalogue.write(to: products, atomically: true, encoding: .utf8)
                let fifo = folder.appendingPathComponent("input.ts")
                let feeder = try FFmpegFeeder.start(media: URL(fileURLWithPath: SampleInput.ts.path), fifo: fifo, loops: 3)
                defer { feeder.stop() }
                let tokenVariable = "CUEPOINT_TEST_CONSOLE_TOKEN"
                let token = "console-\(UUID().uuidString)"
                // The console's job, and a viewer's page: the player following the same show.
                let show = try await offThePool {
                    try ServedLiveShow(
                        fifo: fifo, folder: folder, tokenVariable: tokenVariable, token: token, extra: ["--products", products.path])
                }
                defer { show.stop() }
                let api = show.root
                let check = try await Program.run(
                    "/usr/bin/env",
                    [
                        "\(tokenVariable)=\(token)", try #require(Replay.Player.python), Self.script, "\(api)/console",
                        "--token-env", tokenVariable, "--product", "SKU-PAN",
                        "--player", show.playerURL,
                        "--timeout", "60", "--screenshots", Self.artifacts("segment"),
                    ])
                try #require(check.status == 0, "console_check.py: \(check.stderrText)")
                let report = try #require(try JSONSerialization.jsonObject(with: check.stdout) as? [String: Any])
                try Self.verify(report)
                // The markers the API holds: only the one pin (the wrong token and the refused pin added nothing).
                var request = URLRequest(url: URL(string: api + "/v1/markers")!)
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                let (data, _) = try await URLSession.shared.data(for: request)
                let markers = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
                #expect(markers.map { $0["id"] as? String } == ["pin-SKU-PAN-1"])
                #expect(markers.first?["duration"] is NSNumber, "closed by Unpin")
            }
        }

        @Test(
            "on the show server: /shows/{id}/console pins on that show; a show that is over or unknown gets a page that says so",
            .enabled(if: Console.canRun, "needs ffmpeg, chromium, chromium-driver (apt) and selenium (pip); scripts/setup.sh --test installs them"),
            .timeLimit(.minutes(4)))
        func showServer() async throws {
            let python = try #require(Replay.Player.python)
            try await offThePoolInFolder("console-shows") { folder in
                let fifo = folder.appendingPathComponent("input.ts")
                let feeder = try FFmpegFeeder.start(media: URL(fileURLWithPath: SampleInput.ts.path), fifo: fifo, loops: 3)
                defer { feeder.stop() }
                let server = try ShowServerProcess(data: folder.appendingPathComponent("data"), folder: folder, rtmp: false)
                defer { _ = server.stop() }
                let show = try server.create(
                    showDocument("spring", extra: "input:\n  url: file://\(fifo.path)\n  live: true"))
                let token = try #require(show["marker_token"] as? String)
                #expect(server.waitFor("spring", "live", 30), "\(server.show("spring"))")
                let put = server.request("PUT", "/shows/spring/v1/products", token: token, body: Self.catalogue)
                try #require(put.status == 200, "PUT products: \(put)")
                let check = try ExternalProgram.run(
                    "/usr/bin/env",
                    [
                        "CUEPOINT_TEST_SHOW_TOKEN=\(token)", python, Self.script, "\(server.base)/shows/spring/console",
                        "--token-env", "CUEPOINT_TEST_SHOW_TOKEN", "--product", "SKU-PAN",
                        "--timeout", "60", "--screenshots", Self.artifacts("show-server"),
                    ])
                try #require(check.status == 0, "console_check.py: \(check.stderrText)")
                let report = try #require(try JSONSerialization.jsonObject(with: check.stdout) as? [String: Any])
                try Self.verify(report)
                let markers = server.request("GET", "/shows/spring/v1/markers", token: token)
                #expect(markers.body.contains(#""id":"pin-SKU-PAN-1""#), "\(markers)")
                let unknown = server.request("GET", "/shows/nobody/console", token: nil)
                #expect(unknown.status == 404 && unknown.body.contains("There is no show &quot;nobody&quot;"), "\(unknown)")
                #expect(server.request("POST", "/v1/shows/spring/end").status == 202)
                #expect(server.waitFor("spring", "finished", 60), "\(server.show("spring"))")
                let over = server.request("GET", "/shows/spring/console", token: nil)
                #expect(over.status == 409 && over.body.contains("is finished: the console pins products during a live show"), "\(over)")
            }
        }

        /// What every console run must show, whichever server served it.
        static func verify(_ report: [String: Any]) throws {
            #expect(report["cardBefore"] is NSNull, "no card before the pin")
            let wrong = report["wrongToken"] as? [String: Any] ?? [:]
            #expect(wrong["auth"] as? String == "refused")
            let messages = (wrong["messages"] as? [String] ?? []).joined(separator: " ")
            #expect(messages.contains("The token was refused, nothing was pinned: HTTP 401"), "\(messages)")
            #expect(report["tokenInURL"] as? Bool == false)
            #expect(report["catalogue"] as? [String] == ["SKU-PAN", "SKU-MUG"])
            let pin = report["pin"] as? [String: Any] ?? [:]
            #expect(pin["status"] as? Int == 201 && pin["outcome"] as? String == "ok", "\(pin)")
            #expect(report["pinID"] as? String == "pin-SKU-PAN-1")
            let target = Double(report["targetDuration"] as? Int ?? 0)
            let toPlaylist = try #require(report["secondsToPlaylist"] as? Double, "the DATERANGE never reached the playlist")
            #expect(toPlaylist <= 2 * target, "the DATERANGE within two target durations: \(toPlaylist) s, TD \(target) s")
            let card = report["consoleCard"] as? [String: Any] ?? [:]
            #expect(card["title"] as? String == "Pinned Skillet 28 cm" && card["price"] as? String == "€49.50", "\(card)")
            // The live preview plays (the script waited for frames to advance).
            let preview = report["preview"] as? [String: Any] ?? [:]
            #expect((preview["currentTime"] as? Double ?? 0) > 0 && preview["paused"] as? Bool == false, "\(preview)")
            if let player = report["playerCard"] as? [String: Any] {
                #expect(player["title"] as? String == "Pinned Skillet 28 cm" && player["price"] as? String == "€49.50")
                #expect(report["playerPlaying"] as? Bool == true, "the live player plays once a viewer presses play")
            }
            // Pin now on a pinned product: the API's 409, shown.
            let again = report["pinAgain"] as? [String: Any] ?? [:]
            #expect(again["status"] as? Int == 409 && again["outcome"] as? String == "error", "\(again)")
            #expect((again["text"] as? String ?? "").contains("already pinned"), "\(again)")
            let unpin = report["unpin"] as? [String: Any] ?? [:]
            #expect(unpin["status"] as? Int == 200, "\(unpin)")
            #expect(report["secondsToClose"] is Double, "the closing DATERANGE reached the playlist")
            // The live playlist as the script read it over HTTP when the pin, then the close, showed
            // up, parsed by our parser: the pin's DATERANGE (open), then the same ID with DURATION.
            let atPin = try MediaPlaylist(parsing: try #require(report["playlistAtPin"] as? String))
            let pinned = atPin.segments.flatMap(\.dateRanges).filter { $0.id == "pin-SKU-PAN-1" }
            #expect(pinned.count == 1 && pinned.first?.durationMilliseconds == nil, "\(pinned)")
            let product = pinned.first?.clientAttributes.first { $0.name == "X-COM-CUEPOINT-PRODUCT" }
            #expect(product?.value == .string("SKU-PAN"), "\(pinned)")
            let atClose = try MediaPlaylist(parsing: try #require(report["playlistAtClose"] as? String))
            let closing = atClose.segments.flatMap(\.dateRanges).filter { $0.id == "pin-SKU-PAN-1" }
            #expect(closing.contains { $0.durationMilliseconds != nil }, "the closing DATERANGE: \(closing)")
            #expect(report["cardAfterUnpin"] is NSNull)
            // Unpin of a product not pinned: the API's 404, shown.
            let unpinAgain = report["unpinAgain"] as? [String: Any] ?? [:]
            #expect(unpinAgain["status"] as? Int == 404, "\(unpinAgain)")
            #expect((unpinAgain["text"] as? String ?? "").contains("is not pinned; nothing to unpin"), "\(unpinAgain)")
            let phone = report["phone"] as? [String: Any] ?? [:]
            #expect((phone["scrollWidth"] as? Int ?? 999) <= (phone["innerWidth"] as? Int ?? 0), "\(phone)")
            #expect(report["keyboardPin"] as? String == "Pin now: Pinned Skillet 28 cm")
            #expect(((report["screenshots"] as? [String])?.count ?? 0) >= 6)
        }
    }
}
