import CuepointHLS
import CuepointTime
import Foundation

/// Publishes segment N of every rendition together, once all of them have closed it.
///
/// A copy rendition closes segment N on the reading thread the moment the session cuts; a
/// transcoded rendition closes it on its encoding thread, later by the encoder's delay (x264's
/// lookahead and frame threads hold back tens of frames). Players switch renditions at
/// segment boundaries, so a playlist must not list segment N in one rendition before the
/// others have it: the barrier collects, per media sequence number, the session's
/// description of the segment (its duration, PROGRAM-DATE-TIME, date ranges, decided where
/// the session cut) and each rendition's file (name, size, init section), and hands a
/// complete set to `RecordingPublisher.add` in sequence order.
///
/// Without transcoded renditions a segment is complete as soon as the session describes
/// it, so publishing happens on the reading thread exactly as before.
///
/// Thread-safe: one lock guards the pending segments and every use of the publisher while
/// renditions may still be running (`withPublisher`).
final class SegmentBarrier: @unchecked Sendable {
    /// What the session decided about one segment.
    struct Segment {
        var sequence: Int64
        var durationMilliseconds: Int64
        var discontinuity: Bool
        var programDateTime: WallClockTime
        var mediaStartMilliseconds: Int64
        var dateRanges: [DateRange]
        /// When the session cut (`DispatchTime` nanoseconds): the start of the publish latency.
        var completedAt: UInt64
    }

    /// One rendition's file of a segment.
    struct File {
        var uri: String
        var byteCount: Int64
        var initURI: String?
        /// The rendition's CODECS, RESOLUTION and FRAME-RATE as its encoder made them; nil
        /// leaves the publisher's description as it is.
        var description: VariantDescription?
    }

    private let lock = NSLock()
    private let publisher: RecordingPublisher
    private let clock: any WallClock
    private var segments: [Int64: Segment] = [:]
    private var files: [Int64: [Int: File]] = [:]
    private var published = 0
    /// Called after each publication, under the lock, with the publisher (the LL-HLS part store).
    var afterPublishing: ((RecordingPublisher) -> Void)?
    /// Called after each publication, under the lock, with the records and the latency.
    var onPublished: ((_ records: [SegmentRecord], _ latencyNanoseconds: UInt64) -> Void)?

    init(publisher: RecordingPublisher, clock: any WallClock) {
        self.publisher = publisher
        self.clock = clock
    }

    /// Segments published per rendition so far.
    var publishedSegments: Int { lock.withLock { published } }

    /// The session's description of a segment.
    func add(_ segment: Segment) throws {
        try lock.withLock {
            segments[segment.sequence] = segment
            try publishReady()
        }
    }

    /// Rendition `rendition`'s (its position in the publisher) file of segment `sequence`.
    func add(_ file: File, rendition: Int, sequence: Int64) throws {
        try lock.withLock {
            files[sequence, default: [:]][rendition] = file
            try publishReady()
        }
    }

    /// Sequence numbers described by the session but still waiting for a rendition's file,
    /// with the renditions missing; empty when everything was published.
    var incomplete: [(sequence: Int64, missing: [String])] {
        lock.withLock {
            segments.keys.sorted().map { sequence in
                let have = files[sequence] ?? [:]
                let missing = publisher.renditions.indices.filter { have[$0] == nil }.map { publisher.renditions[$0].name }
                return (sequence, missing)
            }
        }
    }

    /// Runs `body` with the publisher under the barrier's lock (final playlists, state).
    func withPublisher<T>(_ body: (RecordingPublisher) throws -> T) rethrows -> T {
        try lock.withLock { try body(publisher) }
    }

    /// Publishes, in sequence order, every segment whose description and files are all there.
    private func publishReady() throws {
        let count = publisher.renditions.count
        while let sequence = segments.keys.min(), let segment = segments[sequence],
            let have = files[sequence], have.count == count
        {
            segments[sequence] = nil
            files[sequence] = nil
            var records: [SegmentRecord] = []
            var initURIs: [String?] = []
            for index in 0..<count {
                let file = have[index]!
                if let description = file.description { publisher.setDescription(description, rendition: index) }
                records.append(
                    SegmentRecord(
                        rendition: publisher.renditions[index].name, sequence: sequence, uri: file.uri,
                        durationMilliseconds: segment.durationMilliseconds, byteCount: file.byteCount,
                        discontinuity: segment.discontinuity, programDateTime: segment.programDateTime,
                        mediaStartMilliseconds: segment.mediaStartMilliseconds))
                initURIs.append(file.initURI)
            }
            try publisher.add(records, initURIs: initURIs, dateRanges: segment.dateRanges, now: clock.now())
            published += 1
            afterPublishing?(publisher)
            onPublished?(records, DispatchTime.now().uptimeNanoseconds - segment.completedAt)
        }
    }
}
