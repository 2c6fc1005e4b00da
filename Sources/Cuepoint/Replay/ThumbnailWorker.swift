import CuepointFFmpeg
import CuepointTime
import Foundation

/// Makes the product thumbnails and posters on a thread of its own while the replay is read, so
/// decoding uses the second core instead of slowing the remux.
///
/// Each job is one group of pictures (its packets, from the keyframe on, as references) and a
/// target time: the worker decodes the group and encodes the first frame at or after the target
/// (the last frame when the group ends first) as a JPEG with libavcodec's `mjpeg`, and hands the
/// same frame to the ``PosterMaker``. At most ``capacity`` jobs wait; `submit` blocks beyond that,
/// so memory stays bounded.
///
/// `@unchecked Sendable`: the job list and results are guarded by `condition`; the decoder and
/// encoder are used only by the worker thread.
final class ThumbnailWorker: @unchecked Sendable {
    struct Job {
        /// The caller's key (the product's index).
        var key: Int
        /// The frame wanted, on the replay's timeline.
        var target: MediaTime
        var packets: [Packet]
        /// The thumbnail to write; nil for none.
        var path: String?
        /// The posters to make; nil for none.
        var poster: PosterMaker.Product?
    }

    struct Made {
        var key: Int
        /// The thumbnail, when one was asked for.
        var path: String?
        var width: Int
        var height: Int
        /// The posters written, by suffix (`16x9`, `9x16`).
        var posters: [String: String]
        /// Why the posters could not be made, when they could not.
        var posterFailure: String?
    }

    struct Failure {
        var key: Int
        var reason: String
    }

    static let capacity = 4

    private let stream: StreamInfo
    private let width: Int
    private let posterMaker: PosterMaker?
    private let condition = NSCondition()
    private var jobs: [Job] = []
    private var closed = false
    private var done = false
    private var made: [Made] = []
    private var failed: [Failure] = []

    init(stream: StreamInfo, width: Int, posterMaker: PosterMaker? = nil) {
        self.stream = stream
        self.width = width
        self.posterMaker = posterMaker
        let thread = Thread { [self] in work() }
        thread.name = "cuepoint.thumbnails"
        thread.start()
    }

    /// Queues a job; blocks while ``capacity`` jobs wait.
    func submit(_ job: Job) {
        condition.lock()
        while jobs.count >= Self.capacity { condition.wait() }
        jobs.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for every queued job and returns what was made and what failed.
    func finish() -> (made: [Made], failed: [Failure]) {
        condition.lock()
        closed = true
        condition.broadcast()
        while !done { condition.wait() }
        defer { condition.unlock() }
        return (made, failed)
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !closed { condition.wait() }
            if jobs.isEmpty && closed {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.broadcast()
            condition.unlock()
            // A fresh encoder per picture: mjpeg refuses a picture whose time is not after the last one's.
            let outcome = Result { try make(job, encoder: try JPEGEncoder(width: width)) }
            condition.lock()
            switch outcome {
            case .success(let result): made.append(result)
            case .failure(let error): failed.append(Failure(key: job.key, reason: "\(error)"))
            }
            condition.unlock()
        }
    }

    private func make(_ job: Job, encoder: JPEGEncoder) throws -> Made {
        let decoder = try Decoder(stream: stream, threadCount: 1)
        let frame = Frame()
        var chosen: Frame?
        let target = job.target.rescaled(to: stream.timeBase).ticks
        func drain() throws -> Bool {
            while true {
                switch try decoder.receive(into: frame) {
                case .frame:
                    let pts = frame.bestEffortTimestamp ?? frame.pts ?? Int64.min
                    chosen = try frame.clone()
                    if pts >= target { return true }
                case .needsInput, .endOfStream:
                    return false
                }
            }
        }
        var found = false
        for packet in job.packets where !found {
            try decoder.send(packet)
            found = try drain()
        }
        if !found {
            try decoder.send(nil)
            _ = try drain()
        }
        guard let chosen else {
            throw CuepointError(
                subject: job.path ?? "product \(job.key)", message: "no frame could be decoded near the product's start")
        }
        if let path = job.path {
            let bytes = try encoder.encode(chosen)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
        let size = encoder.imageSize(
            sourceWidth: chosen.width, sourceHeight: chosen.height, sampleAspectRatio: chosen.sampleAspectRatio)
        var posters: [String: String] = [:]
        var posterFailure: String?
        if let poster = job.poster, let posterMaker {
            do {
                posters = try posterMaker.make(poster, from: chosen, timeBase: stream.timeBase)
            } catch {
                posterFailure = "\(error)"
            }
        }
        return Made(
            key: job.key, path: job.path, width: size.width, height: size.height, posters: posters,
            posterFailure: posterFailure)
    }
}
