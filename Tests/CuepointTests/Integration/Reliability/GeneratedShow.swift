import Foundation

/// A long show made on the fly by the `ffmpeg` program and never stored: 160x90 H.264 at 10 fps
/// (a keyframe every 2 s) and 8 kHz mono AAC, as MPEG-TS, with timestamps that start a chosen
/// time before the 33-bit wrap of MPEG-TS (2^33 ticks of 90 kHz = 95,443.718 s, 26.5 hours), so
/// the wrap falls inside the show. A small picture keeps hours of media to minutes of encoding.
enum GeneratedShow {
    /// Where MPEG-TS timestamps wrap, in seconds.
    static let wrapSeconds = Double(UInt64(1) << 33) / 90_000
    /// One video frame, in milliseconds (10 fps).
    static let frameMilliseconds: Int64 = 100

    /// `ffmpeg` arguments writing `seconds` of the show to `output` (`-` for standard output, or a
    /// `udp://` URL) in MPEG-TS, the first timestamp about `secondsBeforeWrap` before the wrap (the
    /// muxer adds its own delay of about 1.4 s); `realTime` paces it as a live source (`-re`).
    static func arguments(seconds: Int, secondsBeforeWrap: Double, realTime: Bool, output: String) -> [String] {
        let pace = realTime ? ["-re"] : []
        return ["-hide_banner", "-loglevel", "error", "-nostdin"]
            + pace + ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10"]
            + pace + ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000"]
            + [
                "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "20", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "16k", "-ac", "1",
                "-output_ts_offset", String(format: "%.3f", wrapSeconds - secondsBeforeWrap), "-f", "mpegts", output,
            ]
    }

    /// Product markers at the given starts (seconds of the recording), 5 s each, as JSON lines.
    static func markerLines(startingAt starts: [Int]) -> String {
        starts.enumerated().map { index, start in
            #"{"id": "long-\#(index + 1)", "product": "SKU-LONG-\#(index + 1)", "title": "Product \#(index + 1)", "url": "https://shop.example/long-\#(index + 1)", "start": \#(start), "duration": 5}"#
        }.joined(separator: "\n") + "\n"
    }
}

/// Samples a running process's resident memory and open descriptors (from /proc) beside the
/// media time its recording has reached (the EXTINF sum of a playlist), once every `interval`
/// seconds on a thread of its own.
final class ResourceSampler: @unchecked Sendable {
    struct Sample: CustomStringConvertible {
        /// Seconds since sampling started.
        var elapsed: Double
        /// The EXTINF sum of the playlist, in milliseconds.
        var mediaMilliseconds: Int64
        /// VmRSS, in kB.
        var residentKilobytes: Int
        /// Entries of /proc/PID/fd.
        var descriptors: Int

        var description: String {
            String(
                format: "%7.1f s wall  %8.1f s media  RSS %6.1f MB  %4d descriptors", elapsed, Double(mediaMilliseconds) / 1000,
                Double(residentKilobytes) / 1024, descriptors)
        }
    }

    // Invariant: `samples` and `stopping` are only touched with `lock` held.
    private let lock = NSLock()
    private var collected: [Sample] = []
    private var stopping = false
    private let done = DispatchSemaphore(value: 0)
    let pid: Int32
    let playlist: URL
    let interval: Double

    init(pid: Int32, playlist: URL, interval: Double = 1) {
        self.pid = pid
        self.playlist = playlist
        self.interval = interval
    }

    func start() {
        Thread { [self] in
            let start = Date()
            while !lock.withLock({ stopping }) {
                if let sample = sample(elapsed: Date().timeIntervalSince(start)) { lock.withLock { collected.append(sample) } }
                Thread.sleep(forTimeInterval: interval)
            }
            done.signal()
        }.start()
    }

    /// Stops sampling and returns the samples.
    func stop() -> [Sample] {
        lock.withLock { stopping = true }
        done.wait()
        return samples
    }

    var samples: [Sample] { lock.withLock { collected } }

    private func sample(elapsed: Double) -> Sample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
        return Sample(
            elapsed: elapsed, mediaMilliseconds: Self.extinfSum(playlist), residentKilobytes: kilobytes, descriptors: descriptors)
    }

    /// The EXTINF sum of a playlist in milliseconds, read loosely (cheap enough to run every second
    /// on a playlist of thousands of segments); 0 when it cannot be read.
    static func extinfSum(_ playlist: URL) -> Int64 {
        guard let text = try? String(contentsOf: playlist, encoding: .utf8) else { return 0 }
        var total: Int64 = 0
        for line in text.split(separator: "\n") where line.hasPrefix("#EXTINF:") {
            let value = line.dropFirst("#EXTINF:".count).prefix { $0 != "," }
            let parts = value.split(separator: ".")
            total += (Int64(parts.first ?? "") ?? 0) * 1000 + (parts.count > 1 ? Int64(parts[1]) ?? 0 : 0)
        }
        return total
    }

    /// The first sample at or past `mediaMilliseconds` of media.
    func first(atMedia mediaMilliseconds: Int64) -> Sample? {
        samples.first { $0.mediaMilliseconds >= mediaMilliseconds }
    }
}

/// Steady client load on a job's server: `players` followers reloading `source/live.m3u8` every
/// second and downloading each new segment once (bytes counted, not kept), and a scraper reading
/// `/metrics` and `/healthz` every second.
final class SteadyLoad: @unchecked Sendable {
    // Invariant: the counters and `stopping` are only touched with `lock` held.
    private let lock = NSLock()
    private var requests = 0
    private var failures: [String] = []
    private var stopping = false
    private let group = DispatchGroup()
    let root: String
    let players: Int

    init(root: String, players: Int) {
        self.root = root
        self.players = players
    }

    var requestCount: Int { lock.withLock { requests } }
    var problems: [String] { lock.withLock { failures } }

    func start() {
        for _ in 0..<players {
            group.enter()
            Thread { [self] in
                var seen = Set<String>()
                while !lock.withLock({ stopping }) {
                    let (status, body) = LiveIngest.get("\(root)/source/live.m3u8")
                    record(status, "live.m3u8")
                    if status == 200 {
                        let uris = String(decoding: body, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
                        for uri in uris where !seen.contains(String(uri)) {
                            seen.insert(String(uri))
                            record(LiveIngest.get("\(root)/source/\(uri)").status, String(uri))
                        }
                    }
                    Thread.sleep(forTimeInterval: 1)
                }
                group.leave()
            }.start()
        }
        group.enter()
        Thread { [self] in
            while !lock.withLock({ stopping }) {
                record(LiveIngest.get("\(root)/metrics").status, "/metrics")
                record(LiveIngest.get("\(root)/healthz").status, "/healthz")
                Thread.sleep(forTimeInterval: 1)
            }
            group.leave()
        }.start()
    }

    func stop() {
        lock.withLock { stopping = true }
        group.wait()
    }

    private func record(_ status: Int?, _ what: String) {
        lock.withLock {
            requests += 1
            if status != 200 && failures.count < 20 { failures.append("\(what): \(status.map(String.init) ?? "no answer")") }
        }
    }
}
