import CuepointTestSupport
import CuepointHLS
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Helpers of the live-ingest tests: free ports from the OS, the `cuepoint` job as a process
/// whose output is read while it runs, `ffmpeg` publishers, and an HTTP player.
enum LiveIngest {
    static var ffmpeg: String? { ExternalProgram.which("ffmpeg") }

    /// A port the OS considers free on 127.0.0.1 (bound to port 0, then released).
    static func freePort(udp: Bool = false) -> Int {
        let descriptor = socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
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

    /// A GET over HTTP, blocking: the status (nil: no answer) and the body.
    static func get(_ url: String) -> (status: Int?, body: Data) {
        guard let address = URL(string: url) else { return (nil, Data()) }
        let request = URLRequest(url: address, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 5)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (status: Int?, body: Data) = (nil, Data())
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = ((response as? HTTPURLResponse)?.statusCode, data ?? Data())
            done.signal()
        }.resume()
        done.wait()
        return result
    }

    /// A program started in the background, its output going to files read while it runs.
    final class Job: @unchecked Sendable {
        // Invariant: only the test's driving thread touches the process after start.
        let process = Process()
        let stdoutURL: URL
        let stderrURL: URL
        private let out: FileHandle
        private let err: FileHandle

        /// What the test writes to the program's standard input, when it was started with one (`pipe:0` jobs).
        let input: FileHandle?

        /// - Parameter standardOutput: a pipe for the program's output (another program's input),
        ///   instead of the `LABEL.stdout` file.
        init(
            executable: URL, arguments: [String], folder: URL, label: String, environment: [String: String] = [:],
            standardInput: Pipe? = nil, standardOutput: Pipe? = nil
        ) throws {
            stdoutURL = folder.appendingPathComponent("\(label).stdout")
            stderrURL = folder.appendingPathComponent("\(label).stderr")
            _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
            out = try FileHandle(forWritingTo: stdoutURL)
            err = try FileHandle(forWritingTo: stderrURL)
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = Repository.root
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardInput = standardInput ?? FileHandle.nullDevice
            input = standardInput?.fileHandleForWriting
            // Only this process writes the job's input: a program started later (a test server
            // restarted mid-show) must not inherit the write end, or the job never sees EOF.
            if let input { _ = fcntl(input.fileDescriptor, F_SETFD, FD_CLOEXEC) }
            process.standardOutput = standardOutput ?? out
            process.standardError = err
            try process.run()
        }

        deinit {
            try? input?.close()
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            try? out.close()
            try? err.close()
        }

        var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
        var printed: String { "--- stdout\n\(stdout)--- stderr\n\(stderr)" }

        /// Waits up to `seconds` for the process to end; true when it did.
        @discardableResult
        func wait(_ seconds: Double) -> Bool { LiveIngest.poll(seconds) { !process.isRunning } }

        /// The served root, from the "serving … on http://HOST:PORT/" line.
        func servedRoot(within seconds: Double = 30) -> String? {
            var root: String?
            _ = LiveIngest.poll(seconds) {
                root = stdout.firstMatch(of: /on (http:\/\/127\.0\.0\.1:[0-9]+)\//).map { String($0.1) }
                return root != nil
            }
            return root
        }
    }

    /// `cuepoint ARGUMENTS…` in the background; with `feeding`, its standard input is a pipe the
    /// test writes to through ``Job/input``.
    static func cuepoint(
        _ arguments: [String], folder: URL, environment: [String: String] = [:], feeding: Bool = false,
        label: String = "cuepoint"
    ) throws -> Job {
        try Job(
            executable: CuepointCLI.executable(), arguments: arguments, folder: folder, label: label, environment: environment,
            standardInput: feeding ? Pipe() : nil)
    }

    /// The `ffmpeg` program pushing `seconds` of `input` in real time to `url` as `format`.
    static func publish(
        _ url: String, format: String, seconds: Double, input: String = SampleInput.mp4.path, folder: URL, label: String
    ) throws -> Job {
        try Job(
            executable: URL(fileURLWithPath: ffmpeg!),
            arguments: [
                "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-t", String(seconds), "-i", input, "-c", "copy",
                "-f", format, url,
            ], folder: folder, label: label)
    }

    /// A player following a live playlist over HTTP: reloads it, downloads every segment it
    /// lists the first time it appears, and keeps what it saw.
    final class Player: @unchecked Sendable {
        // Invariant: `state` is only touched with `lock` held.
        private let lock = NSLock()
        private var state = (reloads: 0, segments: [String: Data](), problems: [String](), sequences: [Int64]())
        let root: String
        let playlist: String
        private let stopped = NSCondition()
        private var stopping = false
        private var thread: Thread?

        init(root: String, playlist: String = "source/live.m3u8") {
            self.root = root
            self.playlist = playlist
        }

        func start() {
            let thread = Thread { [self] in run() }
            self.thread = thread
            thread.start()
        }

        func stop() { lock.withLock { stopping = true } }

        var segments: [String: Data] { lock.withLock { state.segments } }
        var problems: [String] { lock.withLock { state.problems } }
        var reloads: Int { lock.withLock { state.reloads } }
        /// The MEDIA-SEQUENCE of each reload that parsed.
        var sequences: [Int64] { lock.withLock { state.sequences } }

        private func run() {
            let folder = playlist.split(separator: "/").dropLast().joined(separator: "/")
            while !lock.withLock({ stopping }) {
                let (status, body) = LiveIngest.get("\(root)/\(playlist)")
                if status == 200 {
                    let text = String(decoding: body, as: UTF8.self)
                    do {
                        let parsed = try MediaPlaylist(parsing: text)
                        lock.withLock {
                            state.reloads += 1
                            state.sequences.append(parsed.mediaSequence)
                        }
                        for segment in parsed.segments where lock.withLock({ state.segments[segment.uri] == nil }) {
                            let (segmentStatus, data) = LiveIngest.get("\(root)/\(folder)/\(segment.uri)")
                            lock.withLock {
                                if segmentStatus == 200 {
                                    state.segments[segment.uri] = data
                                } else {
                                    state.problems.append("\(segment.uri): HTTP \(segmentStatus.map(String.init) ?? "no answer")")
                                }
                            }
                        }
                    } catch {
                        lock.withLock { state.problems.append("unparsable \(playlist): \(error)\n\(text)") }
                    }
                }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
    }

    /// Checks what a player downloaded with ffprobe: each segment holds video and audio and
    /// starts with a video keyframe.
    static func expectPlayableSegments(_ segments: [String: Data], folder: URL, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let scratch = folder.appendingPathComponent("downloaded")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for (name, data) in segments.sorted(by: { $0.key < $1.key }) {
            let path = scratch.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            let types = Set(try FFprobe.streams(of: path).map(\.codecType))
            #expect(types == ["video", "audio"] || types.isSuperset(of: ["video", "audio"]), "\(name): \(types)", sourceLocation: sourceLocation)
            let first = try FFprobe.packets(of: path).first
            #expect(first?.isKeyframe == true, "\(name) starts with a keyframe", sourceLocation: sourceLocation)
        }
    }

    /// `ffmpeg -v error -i PLAYLIST -f null -`: decodes the whole recording; its error output.
    static func decodeErrors(_ playlist: URL) throws -> String {
        let output = try ExternalProgram.run(
            ffmpeg!, ["-hide_banner", "-nostdin", "-v", "error", "-i", playlist.path, "-f", "null", "-"])
        return output.status == 0 ? output.stderrText : "exit \(output.status): \(output.stderrText)"
    }
}
