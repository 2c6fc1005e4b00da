import CuepointTestSupport
import Cuepoint
import CuepointHLS
import Foundation

/// The actors of the crash loop: a live RTMP show (`cuepoint run` with an RTMP listener, the
/// marker API and a replay), the `ffmpeg` program publishing in real time and started again
/// whenever it stops, a marker desk posting markers over the API, and a follower reading the
/// live playlist over HTTP. The test (`CrashLoopTests`) kills and restarts them.
final class CrashLoopShow: @unchecked Sendable {
    let folder: URL
    let container: Container
    let rtmpPort = LiveIngest.freePort()
    let httpPort = LiveIngest.freePort()
    let key = "crash-\(UUID().uuidString.prefix(8))"
    let token = "token-\(UUID().uuidString)"
    var recording: URL { folder.appendingPathComponent("out/crash-loop") }
    var replay: URL { folder.appendingPathComponent("replay") }
    var pipeline: URL { folder.appendingPathComponent("crash-loop.yaml") }
    var root: String { "http://127.0.0.1:\(httpPort)" }

    init(folder: URL, container: Container) throws {
        self.folder = folder
        self.container = container
        try """
        version: 1
        name: crash-loop
        input:
          url: rtmp://127.0.0.1:\(rtmpPort)/live/\(key)
          listen: true
          timeout: 2s
          reconnect: { wait: 600s }
        output:
          directory: \(folder.appendingPathComponent("out").path)
          container: \(container.rawValue)
          segment: 2s
          live_window: 5
          playlists: [index, live]
        renditions:
          - name: source
            copy: true
        markers:
          class: com.example.crash-loop
        replay:
          directory: \(replay.path)
          thumbnails: false
        server:
          listen: 127.0.0.1:\(httpPort)
          token_env: CRASH_LOOP_TOKEN

        """.write(to: pipeline, atomically: true, encoding: .utf8)
    }

    // MARK: cuepoint

    /// Starts `cuepoint run` (the `number`th process of the show), armed at `crashPoint` when given.
    func startCuepoint(_ number: Int, crashPoint: String? = nil) throws -> LiveIngest.Job {
        var environment = ["CRASH_LOOP_TOKEN": token]
        if let crashPoint { environment[CrashPoint.environmentVariable] = crashPoint }
        return try LiveIngest.Job(
            executable: CuepointCLI.executable(), arguments: ["run", pipeline.path], folder: folder,
            label: "cuepoint-\(number)", environment: environment)
    }

    /// The segments (and init sections) `source/index.m3u8` lists on disk now, with their bytes.
    func publishedFiles() throws -> [String: Data] {
        let source = recording.appendingPathComponent("source")
        guard let text = try? String(contentsOf: source.appendingPathComponent("index.m3u8"), encoding: .utf8) else {
            return [:]
        }
        let playlist = try MediaPlaylist(parsing: text)
        var files: [String: Data] = [:]
        for segment in playlist.segments {
            for name in [segment.uri] + (segment.map.map { [$0.uri] } ?? []) where files[name] == nil {
                files[name] = try Data(contentsOf: source.appendingPathComponent(name))
            }
        }
        return files
    }

    // MARK: The publisher

    /// Keeps an `ffmpeg` publisher running (`-re`, the sample looped), starting a new one half a
    /// second after the last one ended (it ends when cuepoint dies, or when it is killed).
    final class Publisher: @unchecked Sendable {
        // Invariant: `current`, `stopping` and `starts` are only touched with `lock` held.
        private let lock = NSLock()
        private var current: LiveIngest.Job?
        private var stopping = false
        private var starts = 0
        private let done = DispatchSemaphore(value: 0)
        let show: CrashLoopShow

        init(show: CrashLoopShow) { self.show = show }

        /// Starts publishing (again, after ``stop()``), restarting after each exit or kill.
        func start() {
            lock.withLock { stopping = false }
            Thread { [self] in
                while !lock.withLock({ stopping }) {
                    let number = lock.withLock { () -> Int in
                        starts += 1
                        return starts
                    }
                    let job = try? LiveIngest.Job(
                        executable: URL(fileURLWithPath: LiveIngest.ffmpeg!),
                        arguments: [
                            "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i",
                            SampleInput.mp4.path, "-c", "copy", "-f", "flv",
                            "rtmp://127.0.0.1:\(show.rtmpPort)/live/\(show.key)",
                        ], folder: show.folder, label: "publisher-\(number)")
                    lock.withLock { current = job }
                    while job?.process.isRunning == true && !lock.withLock({ stopping }) { Thread.sleep(forTimeInterval: 0.1) }
                    Thread.sleep(forTimeInterval: 0.5)
                }
                done.signal()
            }.start()
        }

        /// Kills the running publisher (SIGKILL); a new one starts half a second later.
        func kill() {
            lock.withLock {
                if let process = current?.process, process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            }
        }

        func stop() {
            lock.withLock { stopping = true }
            kill()
            done.wait()
            lock.withLock { current = nil }
        }
    }

    // MARK: The marker desk

    /// Posts a marker every 1.5–3 s (seeded): most with a duration, every fourth open and closed
    /// by the next post. Keeps what the API acknowledged.
    final class MarkerDesk: @unchecked Sendable {
        // Invariant: the state is only touched with `lock` held.
        private let lock = NSLock()
        private var acknowledgedAdds: [String] = []
        private var acknowledgedCloses: [String] = []
        private var attempts = 0
        private var stopping = false
        private let done = DispatchSemaphore(value: 0)
        let show: CrashLoopShow
        private var random: SplitMix64

        init(show: CrashLoopShow, seed: UInt64) {
            self.show = show
            random = SplitMix64(seed: seed)
        }

        var adds: [String] { lock.withLock { acknowledgedAdds } }
        var closes: [String] { lock.withLock { acknowledgedCloses } }
        var tries: Int { lock.withLock { attempts } }

        /// Starts publishing (again, after ``stop()``), restarting after each exit or kill.
        func start() {
            lock.withLock { stopping = false }
            Thread { [self] in
                var number = 0
                var open: String?
                while !lock.withLock({ stopping }) {
                    Thread.sleep(forTimeInterval: Double.random(in: 1.5...3, using: &random))
                    if let id = open {
                        let (status, _) = SampleFeed.request("POST", "\(show.root)/v1/markers/\(id)/close", token: show.token, body: "{}")
                        if status == 200 { lock.withLock { acknowledgedCloses.append(id) } }
                        if status == 200 || status == 404 || status == 409 { open = nil }
                    }
                    number += 1
                    let id = "cl-\(number)"
                    let isOpen = number % 4 == 0
                    let duration = isOpen ? "" : #", "duration": 1.5"#
                    let body = #"{"id": "\#(id)", "product": "SKU-CL-\#(number)", "title": "Crash loop \#(number)", "url": "https://shop.example/cl-\#(number)", "start": "now"\#(duration)}"#
                    let (status, _) = SampleFeed.request("POST", "\(show.root)/v1/markers", token: show.token, body: body)
                    lock.withLock {
                        attempts += 1
                        if status == 201 { acknowledgedAdds.append(id) }
                    }
                    if status == 201 && isOpen { open = id }
                }
                done.signal()
            }.start()
        }

        func stop() {
            lock.withLock { stopping = true }
            done.wait()
        }
    }

    // MARK: The follower

    /// Reads `source/live.m3u8` over HTTP every 200 ms while the show runs (and is refused while
    /// it is down), parses each answer strictly and downloads every segment and init section it
    /// lists the first time it appears. A playlist that does not parse, or a listed file the server
    /// answers 404 for, is a problem.
    final class Follower: @unchecked Sendable {
        // Invariant: the state is only touched with `lock` held.
        private let lock = NSLock()
        private var files: [String: Data] = [:]
        private var found: [String] = []
        private var playlists = 0
        private var stopping = false
        private let done = DispatchSemaphore(value: 0)
        let show: CrashLoopShow

        init(show: CrashLoopShow) { self.show = show }

        var downloaded: [String: Data] { lock.withLock { files } }
        var problems: [String] { lock.withLock { found } }
        var playlistsRead: Int { lock.withLock { playlists } }

        /// Starts publishing (again, after ``stop()``), restarting after each exit or kill.
        func start() {
            lock.withLock { stopping = false }
            Thread { [self] in
                while !lock.withLock({ stopping }) {
                    Thread.sleep(forTimeInterval: 0.2)
                    let (status, body) = LiveIngest.get("\(show.root)/source/live.m3u8")
                    guard status == 200 else { continue }
                    let text = String(decoding: body, as: UTF8.self)
                    let playlist: MediaPlaylist
                    do {
                        playlist = try MediaPlaylist(parsing: text)
                    } catch {
                        lock.withLock { found.append("live.m3u8 does not parse (\(error)):\n\(text)") }
                        continue
                    }
                    lock.withLock { playlists += 1 }
                    let names = playlist.segments.flatMap { [$0.uri] + ($0.map.map { [$0.uri] } ?? []) }
                    for name in names where lock.withLock({ files[name] == nil }) {
                        let (fileStatus, data) = LiveIngest.get("\(show.root)/source/\(name)")
                        lock.withLock {
                            if fileStatus == 200 {
                                files[name] = data
                            } else if fileStatus == 404 {
                                found.append("live.m3u8 lists \(name), which the server does not have:\n\(text)")
                            }
                        }
                    }
                }
                done.signal()
            }.start()
        }

        func stop() {
            lock.withLock { stopping = true }
            done.wait()
        }
    }
}
