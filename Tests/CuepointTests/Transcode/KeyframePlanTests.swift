import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct KeyframePlanTests {
    /// The indices of the frames the plan forces, for frames at `times`.
    func forced(_ plan: KeyframePlan, _ times: [MediaTime]) -> [Int] {
        var cursor = KeyframePlan.Cursor(plan: plan)
        return times.indices.filter { cursor.isForcedKeyframe(at: times[$0]) }
    }

    func frames(count: Int, start: Int64 = 0, step: Int64, timeBase: Rational) -> [MediaTime] {
        (0..<Int64(count)).map { MediaTime(ticks: start + $0 * step, timeBase: timeBase) }
    }

    @Test(arguments: [
        (MediaTime.seconds(4), Rational(30, 1), 120, "keyint=240:min-keyint=120:scenecut=0"),
        (MediaTime.seconds(4), Rational(30000, 1001), 120, "keyint=240:min-keyint=120:scenecut=0"),
        (MediaTime.seconds(6), Rational(25, 1), 150, "keyint=300:min-keyint=150:scenecut=0"),
        (MediaTime.milliseconds(2000), Rational(60, 1), 120, "keyint=240:min-keyint=120:scenecut=0"),
        (MediaTime.milliseconds(1500), Rational(24000, 1001), 36, "keyint=72:min-keyint=36:scenecut=0"),
    ])
    func groupOfPicturesFollowsTheSegment(segment: MediaTime, rate: Rational, frames: Int, parameters: String) {
        let plan = KeyframePlan(segmentDuration: segment, frameRate: rate)
        #expect(plan.framesPerSegment == frames)
        #expect(plan.maximumKeyframeInterval == frames * 2)
        #expect(plan.x264Parameters == parameters)
        #expect(plan.encoderOptions == ["x264-params": parameters, "forced-idr": "1"])
    }

    @Test func withoutAFrameRateOnlyForcedFramesAreKeyframes() {
        let plan = KeyframePlan(segmentDuration: .seconds(4), frameRate: nil)
        #expect(plan.framesPerSegment == nil && plan.maximumKeyframeInterval == nil)
        #expect(plan.x264Parameters == "keyint=infinite:scenecut=0")
    }

    @Test func thirtyFramesPerSecondForcesEveryHundredTwentiethFrame() {
        // sample.mp4: 600 frames, 512 ticks of 1/15360 each.
        let plan = KeyframePlan(segmentDuration: .seconds(4), frameRate: Rational(30, 1))
        #expect(forced(plan, frames(count: 600, step: 512, timeBase: Rational(1, 15360))) == [0, 120, 240, 360, 480])
    }

    @Test func ntscRatesForceTheFirstFrameAtOrAfterEachBoundary() {
        // 29.97 fps in 1/90000: 3003 ticks per frame. 4 s = 119.88 frames, so frame 120 (4.004 s)
        // is the first at or after 4 s; 8 s = 239.76 → 240; 12 s = 359.64 → 360; 16 s = 479.52 → 480.
        let plan = KeyframePlan(segmentDuration: .seconds(4), frameRate: Rational(30000, 1001))
        #expect(forced(plan, frames(count: 600, step: 3003, timeBase: .mpegTS)) == [0, 120, 240, 360, 480])
        // Anchored where the first frame is, as the segment cutter's grid is (MPEG-TS starts at 1.4 s).
        #expect(
            forced(plan, frames(count: 600, start: 126_000, step: 3003, timeBase: .mpegTS)) == [0, 120, 240, 360, 480])
    }

    @Test func aFrameExactlyOnABoundaryIsForcedAndOneTickBeforeIsNot() {
        let plan = KeyframePlan(segmentDuration: .seconds(4), frameRate: Rational(30, 1))
        let base = Rational(1, 90000)
        let times = [0, 359_999, 360_000, 363_000, 719_999, 720_001].map { MediaTime(ticks: $0, timeBase: base) }
        #expect(forced(plan, times) == [0, 2, 5])
    }

    @Test func variableFrameRateForcesTheFirstFrameAfterAMissingBoundaryFrame() {
        // Frames every 1/30 s, but between 3 and 5 s only every fourth (n ≡ 1 mod 4): no frame at 4 s.
        let all = (0..<360).filter { $0 < 90 || $0 >= 150 || $0 % 4 == 1 }
        let times = all.map { MediaTime(ticks: Int64($0) * 512, timeBase: Rational(1, 15360)) }
        let plan = KeyframePlan(segmentDuration: .seconds(4), frameRate: Rational(30, 1))
        #expect(forced(plan, times).map { all[$0] } == [0, 121, 240])
    }

    @Test func extraBoundariesAddKeyframesAndTheGridStays() {
        // A marker at 5.5 s: the first frame at or after it (frame 165) is forced too; 8 s still is.
        let plan = KeyframePlan(
            segmentDuration: .seconds(4), frameRate: Rational(30, 1), extraBoundaries: [.milliseconds(5500)])
        #expect(forced(plan, frames(count: 300, step: 1, timeBase: Rational(1, 30))) == [0, 120, 165, 240])
    }

    @Test func aFixedOriginAnchorsTheGrid() {
        // Grid at 1 s, 5 s, 9 s; the first frame (0 s) is always an IDR.
        let plan = KeyframePlan(segmentDuration: .seconds(4), frameRate: Rational(30, 1), origin: .seconds(1))
        #expect(forced(plan, frames(count: 300, step: 1, timeBase: Rational(1, 30))) == [0, 30, 150, 270])
    }

    @Test func timesInDifferentTimeBasesCompareExactly() {
        let plan = KeyframePlan(segmentDuration: .milliseconds(2002), frameRate: Rational(30000, 1001))
        // 2.002 s is exactly 60 frames of 1001/30000 s.
        #expect(forced(plan, frames(count: 181, step: 1001, timeBase: Rational(1, 30000))) == [0, 60, 120, 180])
        #expect(plan.cell(of: MediaTime(ticks: 60_059, timeBase: Rational(1, 30000)), anchor: .zero()) == 0)
        #expect(plan.cell(of: MediaTime(ticks: 60_060, timeBase: Rational(1, 30000)), anchor: .zero()) == 1)
    }

    @Test func framesThatDoNotAdvanceAreNotForced() {
        let plan = KeyframePlan(segmentDuration: .seconds(1), frameRate: Rational(1, 1))
        #expect(!plan.isForcedKeyframe(at: .seconds(3), previous: .seconds(3), firstFrame: .zero()))
        #expect(plan.isForcedKeyframe(at: .seconds(3), previous: .milliseconds(2999), firstFrame: .zero()))
    }
}
