import Foundation
import Synchronization

/// What a running pipeline has done, for monitoring: counters, gauges and histograms that the
/// pipeline updates at its edges and that `CuepointServer` exposes at `/metrics` (Prometheus).
///
/// The pipeline thread writes, any thread reads (``snapshot()``). The one per-packet update,
/// ``addIngestBytes(_:)``, is a relaxed atomic add; everything else happens once per segment,
/// once per marker request, or a few times a second, under one lock. Nothing here touches
/// FFmpeg.
///
/// Times are integers (milliseconds, nanoseconds); they become seconds only when rendered.
public final class PipelineMetrics: Sendable {
    /// Upper bounds of the segment-duration histogram's buckets, in milliseconds.
    public static let segmentDurationBounds: [Int64] = [1_000, 2_000, 4_000, 6_000, 8_000, 10_000, 15_000, 30_000]
    /// Upper bounds of the publish-latency histogram's buckets, in nanoseconds (1 ms to 5 s).
    public static let publishLatencyBounds: [Int64] = [
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000,
        500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000,
    ]
    /// How far back the ingest bitrate looks, in nanoseconds of the monotonic clock.
    static let bitrateWindowNanoseconds: UInt64 = 5_000_000_000

    /// Where a marker came from, as the metrics label it (a bounded set: never a file's path).
    public enum MarkerSource: String, Sendable, CaseIterable {
        /// The library API and the HTTP API.
        case api
        /// A JSON-lines file (`markers.from: - file:`, `--markers`).
        case file
        /// The pipeline file's inline list.
        case list
    }

    /// A histogram: cumulative counts per upper bound, plus the sum and count of observations.
    public struct Histogram: Sendable, Equatable {
        /// The upper bounds, ascending, in the histogram's unit.
        public var bounds: [Int64]
        /// Observations at or below each bound (not cumulative; ``cumulativeCounts`` is).
        public var counts: [Int]
        /// Observations above the last bound.
        public var overflow = 0
        /// The sum of every observation, in the histogram's unit.
        public var sum: Int64 = 0
        /// How many observations were made.
        public var count = 0

        init(bounds: [Int64]) {
            self.bounds = bounds
            self.counts = Array(repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Int64) {
            sum += value
            count += 1
            if let index = bounds.firstIndex(where: { value <= $0 }) {
                counts[index] += 1
            } else {
                overflow += 1
            }
        }

        /// The count at or below each bound, as Prometheus's `le` buckets list them.
        public var cumulativeCounts: [Int] {
            var running = 0
            return counts.map { count in
                running += count
                return running
            }
        }
    }

    /// The metrics at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Whether the input is live (the fall-behind gauge means something only then).
        public var isLive: Bool
        /// Whether the pipeline is reading its input now.
        public var running: Bool
        /// Payload bytes of the packets read from the input.
        public var ingestBytes: Int64
        /// The input's bitrate over the last few seconds of wall time, in bits per second; 0
        /// until a second has passed.
        public var ingestBitsPerSecond: Int64
        /// Segments written, per rendition.
        public var segments: [String: Int]
        /// Segment durations (EXTINF), per rendition, in milliseconds.
        public var segmentDurations: [String: Histogram]
        /// Markers accepted (added), by source.
        public var markersAccepted: [MarkerSource: Int]
        /// Markers and closes refused, by source.
        public var markersRejected: [MarkerSource: Int]
        /// Markers closed by a request, by source.
        public var markersClosed: [MarkerSource: Int]
        /// From the packet that completed a segment to its playlists written, in nanoseconds.
        public var publishLatency: Histogram
        /// Reconnections of the input (always 0 until sources reconnect).
        public var reconnects: Int
        /// How far the media time lags the wall clock for a live input, in milliseconds
        /// (negative: the media is ahead, a burst); 0 for files.
        public var fallBehindMilliseconds: Int64
        /// The media time reached, in milliseconds from the recording's start.
        public var mediaMilliseconds: Int64
    }

    private struct State {
        var isLive = false
        var running = false
        var segments: [String: Int] = [:]
        var segmentDurations: [String: Histogram] = [:]
        var markersAccepted: [MarkerSource: Int] = [:]
        var markersRejected: [MarkerSource: Int] = [:]
        var markersClosed: [MarkerSource: Int] = [:]
        var publishLatency = Histogram(bounds: PipelineMetrics.publishLatencyBounds)
        var reconnects = 0
        var fallBehindMilliseconds: Int64 = 0
        var mediaMilliseconds: Int64 = 0
        /// (monotonic nanoseconds, ingest bytes) samples of the last few seconds, oldest first.
        var ingestSamples: [(nanoseconds: UInt64, bytes: Int64)] = []
        var ingestBitsPerSecond: Int64 = 0
    }

    private let ingestBytes = Atomic<Int64>(0)
    private let state = Mutex(State())

    public init() {}

    // MARK: Updates (the pipeline's edges)

    /// Counts the payload of one packet read from the input: the per-packet update, one
    /// relaxed atomic add.
    public func addIngestBytes(_ count: Int) {
        ingestBytes.wrappingAdd(Int64(count), ordering: .relaxed)
    }

    /// Marks the pipeline as reading (or no longer reading) its input.
    public func setRunning(_ running: Bool, isLive: Bool) {
        state.withLock {
            $0.running = running
            $0.isLive = isLive
        }
    }

    /// Records completed segments (one per rendition, all cut by the same packet) and how long
    /// publishing them took.
    ///
    /// - Parameters:
    ///   - segments: Each segment's rendition and duration (EXTINF) in milliseconds.
    ///   - publishLatencyNanoseconds: From the packet that completed them to their playlists
    ///     written, on the monotonic clock.
    public func recordSegments(
        _ segments: [(rendition: String, durationMilliseconds: Int64)], publishLatencyNanoseconds: UInt64
    ) {
        state.withLock { state in
            for segment in segments {
                state.segments[segment.rendition, default: 0] += 1
                state.segmentDurations[segment.rendition, default: Histogram(bounds: Self.segmentDurationBounds)]
                    .observe(segment.durationMilliseconds)
            }
            state.publishLatency.observe(Int64(clamping: publishLatencyNanoseconds))
        }
    }

    /// Counts markers accepted from `source`.
    public func markersAccepted(_ count: Int = 1, from source: MarkerSource) {
        guard count > 0 else { return }
        state.withLock { $0.markersAccepted[source, default: 0] += count }
    }

    /// Counts marker requests (adds or closes) refused from `source`.
    public func markersRejected(_ count: Int = 1, from source: MarkerSource) {
        guard count > 0 else { return }
        state.withLock { $0.markersRejected[source, default: 0] += count }
    }

    /// Counts a marker closed by a request from `source`.
    public func markerClosed(from source: MarkerSource) {
        state.withLock { $0.markersClosed[source, default: 0] += 1 }
    }

    /// Counts a reconnection of the input.
    public func inputReconnected() {
        state.withLock { $0.reconnects += 1 }
    }

    /// Updates the gauges a few times a second: the media time reached, how far it lags the
    /// wall clock, and the ingest bitrate.
    ///
    /// - Parameters:
    ///   - mediaMilliseconds: The media time reached, from the recording's start.
    ///   - fallBehindMilliseconds: Wall-clock time elapsed minus media time elapsed (live
    ///     inputs; nil for files).
    ///   - uptimeNanoseconds: Now, on the monotonic clock (for the bitrate).
    public func sample(mediaMilliseconds: Int64, fallBehindMilliseconds: Int64?, uptimeNanoseconds: UInt64) {
        let bytes = ingestBytes.load(ordering: .relaxed)
        state.withLock { state in
            state.mediaMilliseconds = mediaMilliseconds
            if let fallBehindMilliseconds { state.fallBehindMilliseconds = fallBehindMilliseconds }
            // The bitrate over the samples of the last window: bytes between the oldest and the
            // newest, over the time between them.
            state.ingestSamples.append((uptimeNanoseconds, bytes))
            while let first = state.ingestSamples.first, state.ingestSamples.count > 2,
                uptimeNanoseconds - first.nanoseconds > Self.bitrateWindowNanoseconds
            {
                state.ingestSamples.removeFirst()
            }
            if let first = state.ingestSamples.first, uptimeNanoseconds - first.nanoseconds >= 1_000_000_000 {
                let elapsedMilliseconds = Int64(clamping: (uptimeNanoseconds - first.nanoseconds) / 1_000_000)
                state.ingestBitsPerSecond = (bytes - first.bytes) * 8_000 / elapsedMilliseconds
            }
        }
    }

    // MARK: Reading

    /// The metrics now.
    public func snapshot() -> Snapshot {
        let bytes = ingestBytes.load(ordering: .relaxed)
        return state.withLock { state in
            Snapshot(
                isLive: state.isLive, running: state.running, ingestBytes: bytes,
                ingestBitsPerSecond: state.ingestBitsPerSecond, segments: state.segments,
                segmentDurations: state.segmentDurations, markersAccepted: state.markersAccepted,
                markersRejected: state.markersRejected, markersClosed: state.markersClosed,
                publishLatency: state.publishLatency, reconnects: state.reconnects,
                fallBehindMilliseconds: state.isLive ? state.fallBehindMilliseconds : 0,
                mediaMilliseconds: state.mediaMilliseconds)
        }
    }
}
