import Cuepoint
import Foundation
import Testing

/// Runs `cuepoint` on a hostile input and judges how it ended: never a crash (a signal) or a hang
/// (still running after its time), and either exit 0 with valid playlists, or exit 1 with one
/// clear error line and whatever was written still valid. The checks use our strict parser and
/// ffprobe (`verifyWhateverWasWritten`).
enum HostileRun {
    /// How one run ended.
    struct Outcome: CustomStringConvertible {
        var hostile: HostileCase
        var how: String
        var status: Int32?
        var signal: Int32?
        var hung: Bool
        var printed: String
        /// Segments in the final `source/index.m3u8`.
        var segments: Int

        var description: String {
            "\(hostile) through \(how): "
                + (hung ? "HUNG" : signal.map { "CRASHED (signal \($0))" } ?? "exit \(status ?? -1)")
                + ", \(segments) segment(s)"
        }
    }

    /// `cuepoint segment FILE -o OUT --container CONTAINER` (6 s segments) on the mutated file.
    static func file(_ hostile: HostileCase, container: Container, folder: URL, timeout: Double = 120) throws -> Outcome {
        let input = try HostileMedia.make(hostile, in: folder)
        let output = folder.appendingPathComponent("out-\(hostile.fileName)-\(container.rawValue)")
        let job = try LiveIngest.cuepoint(
            ["segment", input.path, "-o", output.path, "--container", container.rawValue],
            folder: folder, label: "\(hostile.fileName)-\(container.rawValue)")
        return try judge(job, hostile: hostile, how: "a file, \(container.rawValue) output", output: output, container: container, timeout: timeout)
    }

    /// A live UDP input (`--listen --timeout 2s --reconnect-wait 1s`) fed the mutated MPEG-TS as
    /// raw datagrams of seven packets, at twice real time (faster, the kernel's receive buffer
    /// overflows while the job probes the input, and the start is lost); the sender's end is the
    /// end of the show.
    static func udp(_ hostile: HostileCase, folder: URL) throws -> Outcome {
        precondition(hostile.source == .ts)
        let bytes = HostileMedia.mutate([UInt8](try HostileMedia.original(.ts, in: folder)), hostile)
        let output = folder.appendingPathComponent("out-udp-\(hostile.fileName)")
        let port = LiveIngest.freePort(udp: true)
        let job = try LiveIngest.cuepoint(
            [
                "segment", "udp://127.0.0.1:\(port)", "--listen", "-o", output.path, "--timeout", "2s", "--reconnect-wait", "1s",
            ], folder: folder, label: "udp-\(hostile.fileName)")
        Thread.sleep(forTimeInterval: 1)
        try UDPSender.send(bytes, to: port, bytesPerSecond: 2 * 950_000 / 20)
        return try judge(job, hostile: hostile, how: "live UDP", output: output, container: .ts, timeout: 60)
    }

    /// A live RTMP input (`--listen --timeout 2s --reconnect-wait 1s`) published by the `ffmpeg` program from the
    /// mutated FLV (`-c copy`, as fast as it reads). A publisher that cannot read the file never
    /// connects: the job is then stopped with SIGINT, which must end it cleanly.
    static func rtmp(_ hostile: HostileCase, folder: URL) throws -> Outcome {
        precondition(hostile.source == .flv)
        let input = try HostileMedia.make(hostile, in: folder)
        let output = folder.appendingPathComponent("out-rtmp-\(hostile.fileName)")
        let port = LiveIngest.freePort()
        let url = "rtmp://127.0.0.1:\(port)/live/hostile"
        let job = try LiveIngest.cuepoint(
            [
                "segment", url, "--listen", "-o", output.path, "--timeout", "2s", "--reconnect-wait", "1s", "--container",
                "fmp4",
            ],
            folder: folder, label: "rtmp-\(hostile.fileName)")
        Thread.sleep(forTimeInterval: 1)
        let publisher = try LiveIngest.Job(
            executable: URL(fileURLWithPath: LiveIngest.ffmpeg!),
            arguments: ["-hide_banner", "-loglevel", "error", "-nostdin", "-i", input.path, "-c", "copy", "-f", "flv", url],
            folder: folder, label: "publisher-\(hostile.fileName)")
        if !publisher.wait(60) { kill(publisher.process.processIdentifier, SIGKILL) }
        if !job.wait(15) { job.process.interrupt() }
        return try judge(
            job, hostile: hostile, how: "live RTMP", output: output, container: .fmp4, timeout: 30)
    }

    /// Waits for the job, then checks how it ended and what it wrote.
    static func judge(
        _ job: LiveIngest.Job, hostile: HostileCase, how: String, output: URL, container: Container, timeout: Double,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Outcome {
        let finished = job.wait(timeout)
        if !finished {
            kill(job.process.processIdentifier, SIGKILL)
            job.wait(10)
        }
        // (terminationReason of a process still running traps: read only once it ended.)
        let crashed = finished && job.process.terminationReason == .uncaughtSignal
        var outcome = Outcome(
            hostile: hostile, how: how, status: crashed || job.process.isRunning ? nil : job.process.terminationStatus,
            signal: crashed ? job.process.terminationStatus : nil, hung: !finished, printed: job.printed,
            segments: SampleFeed.segmentCount(output))
        let context = "\(outcome)\n\(job.printed)"
        #expect(finished, "never hang: \(context)", sourceLocation: sourceLocation)
        #expect(!crashed, "never crash: \(context)", sourceLocation: sourceLocation)
        guard finished, !crashed else { return outcome }

        let lines = job.stderr.split(separator: "\n").map(String.init)
        let errors = lines.filter { !$0.hasPrefix("cuepoint: warning: ") && !$0.hasPrefix("cuepoint: note: ") && !$0.isEmpty }
        switch outcome.status {
        case 0:
            #expect(
                FileManager.default.fileExists(atPath: output.appendingPathComponent("master.m3u8").path),
                "exit 0 but no recording: \(context)", sourceLocation: sourceLocation)
        case 1:
            let reported = errors.filter { $0.hasPrefix("cuepoint: ") }
            #expect(reported.count == 1, "one error line: \(context)", sourceLocation: sourceLocation)
            if let line = reported.last {
                #expect(line.utf8.count <= 600, "a short error line: \(context)", sourceLocation: sourceLocation)
            }
        default:
            Issue.record("exit 0 or 1 expected: \(context)", sourceLocation: sourceLocation)
        }
        do {
            try verifyWhateverWasWritten(
                directory: output, container: container, allowFrameGaps: true, sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(context)\nthe recording cannot be checked: \(error)", sourceLocation: sourceLocation)
        }
        outcome.segments = SampleFeed.segmentCount(output)
        return outcome
    }
}

/// Sends bytes to a UDP port on 127.0.0.1 as a live MPEG-TS sender does: datagrams of 1,316
/// bytes (seven packets), paced.
enum UDPSender {
    static func send(_ bytes: [UInt8], to port: Int, bytesPerSecond: Int) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw RecordingProblem(description: "socket: errno \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let datagram = 1_316
        let start = Date()
        var sent = 0
        while sent < bytes.count {
            let end = min(bytes.count, sent + datagram)
            _ = bytes[sent..<end].withUnsafeBytes { buffer in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            sent = end
            let due = Double(sent) / Double(bytesPerSecond)
            let elapsed = Date().timeIntervalSince(start)
            if due > elapsed { Thread.sleep(forTimeInterval: due - elapsed) }
        }
    }
}
