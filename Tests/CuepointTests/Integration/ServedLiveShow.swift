import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

/// A live show for the browser tests: `cuepoint segment file://FIFO --live --segment 2s --serve
/// 127.0.0.1:0 --token-env VARIABLE [extra…]` recording into `FOLDER/recording`, its address read
/// from the line it prints, and the player page on a server of its own (another origin, as an
/// embedding shop's page would be). Stopping it (``stop()``) interrupts the job and waits.
final class ServedLiveShow: @unchecked Sendable {
    // Invariant: used from one test's thread at a time.
    let job: LiveIngest.Job
    /// `http://127.0.0.1:PORT`: the job's server (playlists, marker API, console).
    let root: String
    /// The player page (`index.html`) on its own server.
    let page: ServedDirectory

    init(fifo: URL, folder: URL, tokenVariable: String, token: String, extra: [String] = []) throws {
        job = try LiveIngest.cuepoint(
            [
                "segment", "file://" + fifo.path, "-o", folder.appendingPathComponent("recording").path, "--live",
                "--segment", "2s", "--serve", "127.0.0.1:0", "--token-env", tokenVariable,
            ] + extra, folder: folder, environment: [tokenVariable: token])
        var root: String?
        _ = LiveIngest.poll(30) { [job] in
            root = job.stdout.firstMatch(of: /on (http:\/\/127\.0\.0\.1:[0-9]+)\//).map { String($0.1) }
            return root != nil || !job.process.isRunning
        }
        guard let root else {
            job.process.interrupt()
            throw RecordingProblem(description: "the live job did not say where it serves:\n\(job.printed)")
        }
        self.root = root
        let pageFolder = folder.appendingPathComponent("page")
        try FileManager.default.createDirectory(at: pageFolder, withIntermediateDirectories: true)
        try PlayerPage.html(PlayerPage.Configuration(title: "Live show", storyboard: false))
            .write(to: pageFolder.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        page = try ServedDirectory(pageFolder)
    }

    /// The player page following this show's live playlist.
    var playerURL: String { "http://127.0.0.1:\(page.port)/index.html?live=\(root)/master.m3u8" }

    func stop() {
        page.stop()
        if job.process.isRunning { job.process.interrupt() }
        job.wait(60)
    }
}
