import CuepointTestSupport
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `SampleMedia/sample.ts` written into `cuepoint segment pipe:0 --live` in chunks the test
/// chooses, so a live recording can be stopped (or killed) at a known segment and resumed from a
/// known point of the media: a live input without the timing of a real-time publisher.
enum SampleFeed {
    /// The bytes of sample.ts (188-byte packets; a keyframe every 2 s, 1.467 s, 3.467 s, …).
    static let bytes: Data = (try? Data(contentsOf: Repository.sampleMedia("sample.ts"))) ?? Data()

    /// The byte offset of each video keyframe's PES in sample.ts, in file order (from ffprobe).
    static func keyframeOffsets() throws -> [Int] {
        guard let ffprobe = ExternalProgram.which("ffprobe") else { throw ProbeError.notInstalled("ffprobe") }
        let output = try ExternalProgram.run(
            ffprobe,
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pos,flags", "-of", "csv=p=0",
             Repository.sampleMedia("sample.ts").path])
        return String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ",")
            guard fields.count >= 2, fields[1].hasPrefix("K") else { return nil }
            return Int(fields[0])
        }
    }

    /// A byte offset on a 188-byte packet boundary, `after` bytes past `offset` (an MPEG-TS
    /// demuxer emits a video PES only once the next one begins, so a chunk that should end a
    /// segment at a keyframe must reach a little past it).
    static func boundary(_ offset: Int, after: Int = 40 * 1024) -> Int { min(bytes.count, (offset + after) / 188 * 188) }

    /// Writes `range` of the sample to the job's standard input; blocks while the job reads.
    static func feed(_ job: LiveIngest.Job, _ range: Range<Int>) throws {
        // A job that died would otherwise kill the test process with SIGPIPE; the write then throws.
        signal(SIGPIPE, SIG_IGN)
        guard let input = job.input else { throw RecordingProblem(description: "the job was started without a pipe") }
        try input.write(contentsOf: bytes.subdata(in: range))
    }

    /// Writes the whole sample one keyframe interval at a time (each chunk reaching just past
    /// the next keyframe, ``boundary(_:after:)``), sleeping `pause` seconds after each, as a live
    /// source would send it.
    static func feedPaced(_ job: LiveIngest.Job, keyframes: [Int], pause: Double) throws {
        for index in 1..<keyframes.count {
            try feed(job, boundary(keyframes[index - 1])..<boundary(keyframes[index]))
            Thread.sleep(forTimeInterval: pause)
        }
        try feed(job, boundary(keyframes[keyframes.count - 1])..<bytes.count)
    }

    /// Ends the job's input (EOF): a live pipe job then finalises its recording and exits.
    static func end(_ job: LiveIngest.Job) throws { try job.input?.close() }

    /// The segments `rendition/index.m3u8` lists now (0 when it cannot be read).
    static func segmentCount(_ output: URL, rendition: String = "source") -> Int {
        (try? String(contentsOf: output.appendingPathComponent("\(rendition)/index.m3u8"), encoding: .utf8))
            .map { $0.components(separatedBy: "#EXTINF:").count - 1 } ?? 0
    }

    /// Waits until the playlist lists at least `count` segments and has not grown for a second.
    @discardableResult
    static func waitForSegments(_ output: URL, atLeast count: Int, within seconds: Double = 30) -> Bool {
        var last = -1
        var stableSince = Date()
        return LiveIngest.poll(seconds) {
            let now = segmentCount(output)
            if now != last {
                last = now
                stableSince = Date()
            }
            return now >= count && Date().timeIntervalSince(stableSince) >= 1
        }
    }

    /// An HTTP request with a bearer token, blocking: the status (nil: no answer) and the body.
    static func request(_ method: String, _ url: String, token: String, body: String? = nil) -> (status: Int?, body: String) {
        guard let address = URL(string: url) else { return (nil, "") }
        var request = URLRequest(url: address, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 10)
        request.httpMethod = method
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (status: Int?, body: String) = (nil, "")
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = ((response as? HTTPURLResponse)?.statusCode, String(decoding: data ?? Data(), as: UTF8.self))
            done.signal()
        }.resume()
        done.wait()
        return result
    }
}
