import ArgumentParser
import Cuepoint
import CuepointFFmpeg
import CuepointRTMP
import CuepointTime
import Foundation
import NIOCore
import NIOConcurrencyHelpers
import UnixSignals

extension CuepointCommand {
    /// `cuepoint rtmp-sink`: Cuepoint's RTMP server and libavformat's FLV demuxer, nothing
    /// else. Every stream key is accepted (a second publisher for a live key is still refused);
    /// each session is demuxed on a thread of its own and its packets are counted. It measures
    /// the RTMP ingest path alone (`Benchmarks/rtmp.py`) and shows what a publisher sends.
    struct RTMPSink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rtmp-sink",
            abstract: "Receive RTMP publishers on one port and only demux them (counts packets; for benchmarks and checks).")

        @Option(help: "Address to listen on, HOST:PORT (port 0: any free port).")
        var listen: String = "127.0.0.1:1935"

        @Option(help: "How long a connection may send nothing before it is closed, e.g. 10s.")
        var timeout: String = "10s"

        @Option(help: "While a publish is live, the time between socket reads, e.g. 20ms (0: read as bytes come).")
        var readInterval: String?

        func run() async throws {
            guard let address = ListenAddress(listen) else {
                throw ValidationError("--listen: expected HOST:PORT such as 127.0.0.1:1935, got \"\(listen)\"")
            }
            guard let idle = DurationText.parse(timeout), idle.milliseconds > 0 else {
                throw ValidationError("--timeout: expected a duration such as 10s or 500ms, got \"\(timeout)\"")
            }
            var configuration = RTMPServer.Configuration(host: address.host, port: address.port)
            if let readInterval {
                guard let interval = DurationText.parse(readInterval) ?? (readInterval == "0" ? .milliseconds(0) : nil) else {
                    throw ValidationError("--read-interval: expected a duration such as 20ms, got \"\(readInterval)\"")
                }
                configuration.publishReadInterval = .milliseconds(interval.milliseconds)
            }
            configuration.idleTimeout = .milliseconds(idle.milliseconds)
            configuration.handshakeTimeout = .milliseconds(idle.milliseconds)
            let sink = DemuxingSink()
            let server = RTMPServer(configuration: configuration, router: sink)
            let port: Int
            do {
                port = try await server.start()
            } catch {
                throw CommandFailure(message: error.description, exitCode: 1)
            }
            FileHandle.standardOutput.write(Data("listening on rtmp://\(address.host):\(port)/ (Ctrl-C stops)\n".utf8))
            await Self.waitForSignal()
            await server.stop()
            sink.waitForReaders()
            print("stopped: \(sink.finished) sessions")
        }

        /// Returns after SIGINT or SIGTERM (swift-service-lifecycle's `UnixSignalsSequence`).
        static func waitForSignal() async {
            for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { return }
        }
    }
}

/// Accepts every publisher and demuxes each session on its own thread, printing one line per
/// session when it ends.
final class DemuxingSink: PublishRouter {
    private let readers = DispatchGroup()
    private let count = NIOLockedValueBox(0)

    func authorize(app: String, key: String, peer: String) async -> PublishDecision { .accept }

    func publishStarted(_ session: PublishSession) {
        readers.enter()
        let thread = Thread { [self] in
            defer { readers.leave() }
            FileHandle.standardOutput.write(Data((Self.demux(session) + "\n").utf8))
            count.withLockedValue { $0 += 1 }
        }
        thread.name = "rtmp-sink \(session.key)"
        thread.start()
    }

    var finished: Int { count.withLockedValue { $0 } }

    func waitForReaders() { readers.wait() }

    /// Reads every packet of `session`; the line that describes it.
    static func demux(_ session: PublishSession) -> String {
        let name = "\(session.app)/\(session.key) from \(session.peer)"
        let demuxer: Demuxer
        do {
            demuxer = try Demuxer(source: RTMPSessionSource(session), format: RTMPSessionSource.format, name: name)
        } catch {
            return "session \(name): not demuxed (\(error.message)); \(session.endReason.map { "\($0)" } ?? "")"
        }
        let packet = Packet()
        var packets: [Int: Int] = [:]
        var failure: String?
        while true {
            do {
                guard try demuxer.read(into: packet) else { break }
                packets[packet.streamIndex, default: 0] += 1
            } catch {
                failure = error.message
                break
            }
        }
        let streams = demuxer.streams.map { "\($0.mediaType.rawValue) \($0.codec.name) \(packets[$0.index] ?? 0)" }
        let end = session.endReason.map { "\($0)" } ?? failure ?? "?"
        return "session \(name): packets \(streams.joined(separator: ", ")); \(session.bytesRead) FLV bytes; ended: \(end)"
    }
}
