import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

/// The cut rule, fed events without files.
@Suite(.ownThreads) struct SegmentCutterTests {
    /// Feeds (milliseconds, isKeyframe) events and returns the times at which segments opened or were cut.
    func cuts(target: Int64, _ events: [(Int64, Bool)]) -> [Int64] {
        var cutter = SegmentCutter(target: .milliseconds(target))
        var starts: [Int64] = []
        for (time, key) in events {
            switch cutter.feed(time: .milliseconds(time), isCutCandidate: key) {
            case .open, .cut: starts.append(time)
            case .append, .drop: break
            }
        }
        return starts
    }

    /// Video at 30 fps (33 ms frames approximated as whole ms) with a keyframe every `gop` ms.
    func video(durationMilliseconds: Int64, gop: Int64, start: Int64 = 0) -> [(Int64, Bool)] {
        stride(from: start, to: start + durationMilliseconds, by: 100).map { ($0, ($0 - start) % gop == 0) }
    }

    @Test func cutsAtEveryGridLineWhenKeyframesAlign() {
        #expect(cuts(target: 6000, video(durationMilliseconds: 20_000, gop: 2000)) == [0, 6000, 12_000, 18_000])
        #expect(cuts(target: 4000, video(durationMilliseconds: 20_000, gop: 2000)) == [0, 4000, 8000, 12_000, 16_000])
    }

    @Test func cutsAtTheFirstKeyframeAtOrAfterTheGridLine() {
        // Grid lines at 5, 10, 15 s; keyframes every 2 s: 6, 10, 16.
        #expect(cuts(target: 5000, video(durationMilliseconds: 20_000, gop: 2000)) == [0, 6000, 10_000, 16_000])
    }

    @Test func aLateKeyframeDoesNotShiftLaterBoundaries() {
        // Keyframes at 0, 7 (late), 12, 18: the cut after 7 s is 12 s (grid line 12), not 13 s.
        let events: [(Int64, Bool)] = [(0, true), (3000, false), (7000, true), (9000, false), (12_000, true), (18_000, true)]
        #expect(cuts(target: 6000, events) == [0, 7000, 12_000, 18_000])
    }

    @Test func aMissingKeyframeMakesOneLongSegment() {
        let events: [(Int64, Bool)] = [(0, true), (6000, false), (9000, false), (10_000, true), (12_000, true)]
        #expect(cuts(target: 6000, events) == [0, 10_000, 12_000])
    }

    @Test func dropsPacketsBeforeTheFirstKeyframe() {
        var cutter = SegmentCutter(target: .seconds(6))
        #expect(cutter.feed(time: .milliseconds(0), isCutCandidate: false) == .drop)
        #expect(cutter.feed(time: .milliseconds(33), isCutCandidate: false) == .drop)
        #expect(cutter.feed(time: .milliseconds(66), isCutCandidate: true) == .open)
        #expect(cutter.origin == .milliseconds(66))
        #expect(cutter.feed(time: .milliseconds(100), isCutCandidate: false) == .append)
    }

    @Test func theGridIsAnchoredAtTheFirstKeyframe() {
        // Input timestamps start at 1.4 s (MPEG-TS): boundaries at 7.4, 13.4.
        #expect(cuts(target: 6000, video(durationMilliseconds: 14_000, gop: 2000, start: 1400)) == [1400, 7400, 13_400])
    }

    @Test func renditionsWithTheSameKeyframesCutAlike() {
        // Two renditions see keyframes at the same media times but different other frames.
        let a = video(durationMilliseconds: 30_000, gop: 2000)
        let b = a.filter { $0.0 % 200 == 0 }
        #expect(cuts(target: 6000, a) == cuts(target: 6000, b))
    }

    @Test func audioOnlyCutsOnTime() {
        // AAC frames of 21.333 ms at 48 kHz: every packet is a cut candidate.
        var cutter = SegmentCutter(target: .seconds(6))
        var starts: [MediaTime] = []
        for frame in Int64(0)..<1000 {
            let time = MediaTime(ticks: frame * 1024, timeBase: Rational(1, 48_000))
            if [.open, .cut].contains(cutter.feed(time: time, isCutCandidate: true)) { starts.append(time) }
        }
        #expect(starts.map(\.milliseconds) == [0, 6016, 12_011, 18_005])
        #expect(starts.dropFirst().allSatisfy { $0.milliseconds % 6000 < 22 })
    }

    @Test func aNewEpochStartsANewGrid() {
        var cutter = SegmentCutter(target: .seconds(6))
        _ = cutter.feed(time: .seconds(100), isCutCandidate: true)
        cutter.startNewEpoch()
        #expect(cutter.feed(time: .seconds(3), isCutCandidate: false) == .drop)
        #expect(cutter.feed(time: .seconds(4), isCutCandidate: true) == .open)
        #expect(cutter.feed(time: .seconds(9), isCutCandidate: true) == .append)
        #expect(cutter.feed(time: .seconds(10), isCutCandidate: true) == .cut)
    }
}

@Suite(.ownThreads) struct TimestampGuardTests {
    let frame = MediaTime.milliseconds(33)

    @Test func acceptsContinuousTimestamps() {
        var guardrail = TimestampGuard()
        for index in Int64(0)..<100 {
            #expect(guardrail.judge(stream: 0, dts: .milliseconds(index * 33), duration: frame, isCutStream: true) == .accept)
            #expect(guardrail.judge(stream: 1, dts: .milliseconds(index * 33 + 5), duration: frame, isCutStream: false) == .accept)
        }
    }

    @Test func aBackwardJumpOnTheCutStreamIsADiscontinuity() {
        var guardrail = TimestampGuard()
        _ = guardrail.judge(stream: 0, dts: .seconds(20), duration: frame, isCutStream: true)
        #expect(
            guardrail.judge(stream: 0, dts: .seconds(1), duration: frame, isCutStream: true)
                == .discontinuity(jump: .seconds(1) - (.seconds(20) + frame)))
        // The next frame continues the new timeline.
        #expect(guardrail.judge(stream: 0, dts: .milliseconds(1033), duration: frame, isCutStream: true) == .accept)
    }

    @Test func aForwardGapBeyondTheLimitIsADiscontinuity() {
        var guardrail = TimestampGuard(maximumGap: .seconds(5))
        _ = guardrail.judge(stream: 0, dts: .seconds(10), duration: frame, isCutStream: true)
        #expect(guardrail.judge(stream: 0, dts: .milliseconds(14_000), duration: frame, isCutStream: true) == .accept)
        if case .discontinuity = guardrail.judge(stream: 0, dts: .seconds(3600), duration: frame, isCutStream: true) {
        } else {
            Issue.record("a one-hour gap must be a discontinuity")
        }
    }

    @Test func repeatedTimestampsAreDropped() {
        var guardrail = TimestampGuard()
        _ = guardrail.judge(stream: 0, dts: .seconds(10), duration: frame, isCutStream: true)
        #expect(guardrail.judge(stream: 0, dts: .seconds(10), duration: frame, isCutStream: true) != .accept)
        #expect(guardrail.judge(stream: 0, dts: .milliseconds(9900), duration: frame, isCutStream: true) != .accept)
    }

    @Test func otherStreamsTrailingAJumpAreDroppedUntilTheyJumpToo() {
        var guardrail = TimestampGuard()
        _ = guardrail.judge(stream: 0, dts: .seconds(20), duration: frame, isCutStream: true)
        _ = guardrail.judge(stream: 1, dts: .seconds(20), duration: frame, isCutStream: false)
        if case .discontinuity = guardrail.judge(stream: 0, dts: .seconds(1), duration: frame, isCutStream: true) {
        } else {
            Issue.record("expected a discontinuity")
        }
        // Audio of the old timeline, after the video jumped back.
        #expect(guardrail.judge(stream: 1, dts: .milliseconds(20_020), duration: frame, isCutStream: false) != .accept)
        // Audio of the new timeline.
        #expect(guardrail.judge(stream: 1, dts: .milliseconds(1010), duration: frame, isCutStream: false) == .accept)
    }
}

@Suite(.ownThreads) struct RequestedBoundaryTests {
    @Test func aRequestedBoundaryCutsAtTheFirstKeyframeAtOrAfterIt() {
        var cutter = SegmentCutter(target: .seconds(6))
        cutter.requestBoundary(at: .milliseconds(3100))
        var starts: [Int64] = []
        for time in stride(from: Int64(0), to: 20_000, by: 100) {
            if [.open, .cut].contains(cutter.feed(time: .milliseconds(time), isCutCandidate: time % 2000 == 0)) {
                starts.append(time)
            }
        }
        // 3.1 s → keyframe 4 s; the grid still cuts at 6, 12, 18.
        #expect(starts == [0, 4000, 6000, 12_000, 18_000])
        #expect(cutter.requestedBoundaries.isEmpty)
    }

    @Test func aBoundaryOnAKeyframeCutsThere() {
        var cutter = SegmentCutter(target: .seconds(6))
        cutter.requestBoundary(at: .seconds(8))
        cutter.requestBoundary(at: .seconds(2))
        var starts: [Int64] = []
        for time in stride(from: Int64(0), to: 13_000, by: 1000) {
            if [.open, .cut].contains(cutter.feed(time: .milliseconds(time), isCutCandidate: time % 2000 == 0)) {
                starts.append(time)
            }
        }
        #expect(starts == [0, 2000, 6000, 8000, 12_000])
    }

    @Test func boundariesBeforeTheSegmentStartAreIgnored() {
        var cutter = SegmentCutter(target: .seconds(6))
        _ = cutter.feed(time: .seconds(10), isCutCandidate: true)
        cutter.requestBoundary(at: .seconds(5))
        #expect(cutter.feed(time: .seconds(12), isCutCandidate: true) == .append)
    }
}

@Suite(.ownThreads) struct TimestampGuardPresentationTests {
    let frame = MediaTime.milliseconds(33)

    @Test("a frame presented thousands of seconds after it is decoded (a damaged ctts) is dropped, on any stream")
    func wildPresentationTimeIsDropped() {
        var guardrail = TimestampGuard()
        #expect(
            guardrail.judge(stream: 0, dts: .seconds(3), pts: .milliseconds(3_066), duration: frame, isCutStream: true)
                == .accept)
        #expect(
            guardrail.judge(stream: 0, dts: .milliseconds(3_033), pts: .seconds(2_051), duration: frame, isCutStream: true)
                == .drop(reason: "presentation time far from the decoding time"))
        #expect(
            guardrail.judge(stream: 1, dts: .seconds(3), pts: .seconds(2_000), duration: frame, isCutStream: false)
                == .drop(reason: "presentation time far from the decoding time"))
        // The dropped frame left no trace: the next one continues the timeline.
        #expect(
            guardrail.judge(stream: 0, dts: .milliseconds(3_066), pts: .milliseconds(3_133), duration: frame, isCutStream: true)
                == .accept)
        // Reordering delay up to the limit is normal.
        #expect(
            guardrail.judge(stream: 0, dts: .milliseconds(3_099), pts: .milliseconds(8_099), duration: frame, isCutStream: true)
                == .accept)
    }
}
