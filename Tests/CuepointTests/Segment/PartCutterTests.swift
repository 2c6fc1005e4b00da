import CuepointTestSupport
import Testing

@testable import Cuepoint

/// The part rule, fed frames without files: parts never exceed the target, start anywhere, and
/// the segment's cut ends the last one.
@Suite(.ownThreads) struct PartCutterTests {
    /// Feeds frames of `frame` ms from 0 until `segmentEnd` into a segment opened at 0 and returns
    /// the part durations.
    func parts(target: Int64, frame: Int64, segmentEnd: Int64) -> [Int64] {
        var cutter = PartCutter(targetMilliseconds: target)
        cutter.segmentOpened(at: 0)
        var boundaries: [Int64] = [0]
        var time = frame
        while time < segmentEnd {
            if case .cut(let end) = cutter.feed(start: time, end: time + frame, isCandidate: true) {
                boundaries.append(end)
            }
            time += frame
        }
        let last = cutter.segmentClosing()
        #expect(last == boundaries.last)
        boundaries.append(segmentEnd)
        return zip(boundaries, boundaries.dropFirst()).map { $1 - $0 }
    }

    @Test func exactMultiplesMakeEqualParts() {
        // 30 fps in ms ticks: 33 ms frames do not divide 500; 25 fps (40 ms) do.
        #expect(parts(target: 500, frame: 40, segmentEnd: 2000) == [480, 480, 480, 480, 80])
        #expect(parts(target: 1000, frame: 40, segmentEnd: 2000) == [1000, 1000])
        #expect(parts(target: 500, frame: 20, segmentEnd: 2000) == [500, 500, 500, 500])
    }

    @Test func partsNeverExceedTheTargetAndOnlyTheLastIsShort() {
        for target: Int64 in [100, 333, 500, 1000] {
            for frame: Int64 in [17, 20, 33, 40, 42] where frame < target {
                let durations = parts(target: target, frame: frame, segmentEnd: 4000)
                #expect(durations.allSatisfy { $0 <= target }, "target \(target), frame \(frame): \(durations)")
                #expect(durations.reduce(0, +) == 4000)
                // All but the last are longer than the target minus one frame (≥ 85 % at these rates).
                #expect(durations.dropLast().allSatisfy { $0 > target - frame }, "\(durations)")
            }
        }
    }

    @Test func bFramesEndAPartAtTheLatestPresentation() {
        var cutter = PartCutter(targetMilliseconds: 100)
        cutter.segmentOpened(at: 0)
        // Decode order I0 P3 B1 B2 P6 B4 B5 with 20 ms frames: presentation ends 20, 80, 40, 60, 140…
        #expect(cutter.feed(start: 60, end: 80, isCandidate: true) == .append)
        #expect(cutter.feed(start: 20, end: 40, isCandidate: true) == .append)
        #expect(cutter.feed(start: 40, end: 60, isCandidate: true) == .append)
        // P6 would make the part present up to 140 ms: the part is closed at 80 ms first.
        #expect(cutter.feed(start: 120, end: 140, isCandidate: true) == .cut(end: 80))
        #expect(cutter.partStart == 80)
    }

    @Test func nonCandidatesNeverCutAndNothingHappensOutsideASegment() {
        var cutter = PartCutter(targetMilliseconds: 100)
        #expect(cutter.feed(start: 0, end: 500, isCandidate: true) == .append)
        cutter.segmentOpened(at: 0)
        #expect(cutter.feed(start: 0, end: 50, isCandidate: true) == .append)
        #expect(cutter.feed(start: 50, end: 200, isCandidate: false) == .append)
        #expect(cutter.feed(start: 200, end: 250, isCandidate: true) == .cut(end: 200))
    }
}
