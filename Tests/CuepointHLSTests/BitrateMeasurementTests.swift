import CuepointTestSupport
import CuepointHLS
import Testing

@Suite("BitrateMeasurement", .ownThreads)
struct BitrateMeasurementTests {
    typealias Segments = [(bytes: Int64, durationMilliseconds: Int64)]

    @Test("peak is the highest rate over runs lasting 0.5 to 1.5 target durations")
    func peakOverWindows() {
        // TD 6 s: runs must last 3 s to 9 s.
        // Segment rates: 6 s × 750 000 B = 1 000 000 b/s; 2 s × 500 000 B = 2 000 000 b/s;
        // 6 s × 600 000 B = 800 000 b/s.
        // Runs: [0] 6 s 1 000 000; [1] 2 s too short; [2] 6 s 800 000; [0,1] 8 s 1 250 000 × 8 / 8 = 1 250 000;
        // [1,2] 8 s 1 100 000 B → 1 100 000; [0,1,2] 14 s too long. Peak: 1 250 000.
        let segments: Segments = [(750_000, 6000), (500_000, 2000), (600_000, 6000)]
        #expect(BitrateMeasurement.peak(segments: segments, targetDuration: 6) == 1_250_000)
    }

    @Test("a short high-rate segment alone does not set the peak when it is shorter than 0.5 TD")
    func shortSegmentIsAveragedIn() {
        // [1] alone: 1 s, 1 000 000 B = 8 000 000 b/s, but shorter than 3 s.
        // [0,1]: 7 s, 1 600 000 B → 12 800 000 / 7 = 1 828 571.43 → 1 828 572 (rounded up).
        // [1,2]: 7 s, 1 450 000 B → 11 600 000 / 7 = 1 657 142.86 → 1 657 143.
        let segments: Segments = [(600_000, 6000), (1_000_000, 1000), (450_000, 6000)]
        #expect(BitrateMeasurement.peak(segments: segments, targetDuration: 6) == 1_828_572)
    }

    @Test("window bounds are inclusive")
    func inclusiveBounds() {
        // TD 4: runs of 2 s to 6 s. [0] is exactly 2 s: 250 000 B → 1 000 000 b/s; [0,1] is exactly 6 s.
        let segments: Segments = [(250_000, 2000), (100_000, 4000)]
        #expect(BitrateMeasurement.peak(segments: segments, targetDuration: 4) == 1_000_000)
        // 1 ms longer and [0] no longer qualifies; [1] alone: 800 000 / 4 = 200 000; [0,1] 6.001 s is too long.
        let longer: Segments = [(250_000, 1999), (100_000, 4002)]
        #expect(BitrateMeasurement.peak(segments: longer, targetDuration: 4) == 199_901)
    }

    @Test("with no qualifying run the highest single-segment rate is used")
    func fallback() {
        // One 1 s segment of 125 000 B with TD 6: 1 000 000 b/s.
        #expect(BitrateMeasurement.peak(segments: [(125_000, 1000)], targetDuration: 6) == 1_000_000)
        // Every segment longer than 1.5 × TD (TD 2 → 3 s): 10 s × 1 000 000 B = 800 000; 4 s × 1 000 000 B = 2 000 000.
        #expect(
            BitrateMeasurement.peak(segments: [(1_000_000, 10_000), (1_000_000, 4000)], targetDuration: 2) == 2_000_000)
        #expect(BitrateMeasurement.peak(segments: [], targetDuration: 6) == 0)
        #expect(BitrateMeasurement.peak(segments: [(100, 0)], targetDuration: 6) == 0)
    }

    @Test("rates are rounded up")
    func roundsUp() {
        // 1 B over 3 s: 8 / 3 = 2.67 → 3.
        #expect(BitrateMeasurement.peak(segments: [(1, 3000)], targetDuration: 6) == 3)
        #expect(BitrateMeasurement.average(segments: [(1, 3000)]) == 3)
    }

    @Test("average is total bits over total duration")
    func average() {
        // 2 350 000 B × 8 = 18 800 000 b over 14 s = 1 342 857.14 → 1 342 858.
        let segments: Segments = [(750_000, 6000), (1_000_000, 2000), (600_000, 6000)]
        #expect(BitrateMeasurement.average(segments: segments) == 1_342_858)
        #expect(BitrateMeasurement.average(segments: [(1_000_000, 8000)]) == 1_000_000)
        #expect(BitrateMeasurement.average(segments: []) == 0)
    }

    @Test("huge sizes do not overflow")
    func largeValues() {
        // 1 TB over 1 ms would be 8e15 b/s: fits; Int64.max bytes over 1 ms saturates.
        #expect(BitrateMeasurement.average(segments: [(1_000_000_000_000, 1)]) == 8_000_000_000_000_000)
        #expect(BitrateMeasurement.average(segments: [(Int64.max, 1)]) == Int.max)
    }
}
