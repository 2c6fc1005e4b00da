import CuepointTestSupport
import Testing

@testable import Cuepoint

/// The plan is fed packet timestamps only; times here are in frames (one tick per frame).
@Suite(.ownThreads) struct ExactClipPlanTests {
    typealias Packet = ExactClipPlan.Packet

    /// Three closed GOPs in decode order, with B-frames (dts one frame before the first pts):
    /// GOP 1 shows 0…5, GOP 2 6…11, GOP 3 12…14.
    static let closedGOPs: [Packet] = [
        (0, -1, true), (2, 0, false), (1, 1, false), (4, 2, false), (3, 3, false), (5, 4, false),
        (6, 5, true), (8, 6, false), (7, 7, false), (10, 8, false), (9, 9, false), (11, 10, false),
        (12, 11, true), (14, 12, false), (13, 13, false),
    ].map { Packet(pts: $0.0, dts: $0.1, isKeyframe: $0.2) }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var start: Int64
        var expected: ExactClipPlan
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "start inside the first GOP re-encodes to the next keyframe", start: 3,
            expected: ExactClipPlan(
                startPts: 3, reencode: .init(decodeFromIndex: 0, frameCount: 3, endPts: 6, decodeDelay: 1),
                copyFromIndex: 6)),
        Case(
            name: "start on the first keyframe is a pure copy", start: 0,
            expected: ExactClipPlan(startPts: 0, reencode: nil, copyFromIndex: 0)),
        Case(
            name: "start on a later keyframe copies from it", start: 6,
            expected: ExactClipPlan(startPts: 6, reencode: nil, copyFromIndex: 6)),
        Case(
            name: "a start before the first frame begins on it", start: -5,
            expected: ExactClipPlan(startPts: 0, reencode: nil, copyFromIndex: 0)),
        Case(
            name: "start inside the second GOP decodes from its keyframe", start: 8,
            expected: ExactClipPlan(
                startPts: 8, reencode: .init(decodeFromIndex: 6, frameCount: 4, endPts: 12, decodeDelay: 1),
                copyFromIndex: 12)),
        Case(
            name: "one frame before a keyframe re-encodes through the next GOP", start: 5,
            expected: ExactClipPlan(
                startPts: 5, reencode: .init(decodeFromIndex: 0, frameCount: 7, endPts: 12, decodeDelay: 1),
                copyFromIndex: 12)),
        Case(
            name: "without a later keyframe everything to the end is re-encoded", start: 13,
            expected: ExactClipPlan(
                startPts: 13, reencode: .init(decodeFromIndex: 12, frameCount: 2, endPts: nil, decodeDelay: 0),
                copyFromIndex: nil)),
        Case(
            name: "a single frame before the last keyframe re-encodes to the end", start: 11,
            expected: ExactClipPlan(
                startPts: 11, reencode: .init(decodeFromIndex: 6, frameCount: 4, endPts: nil, decodeDelay: 0),
                copyFromIndex: nil)),
    ]

    @Test(arguments: cases) func closedGOPs(_ test: Case) throws {
        #expect(try ExactClipPlan.make(packets: Self.closedGOPs, start: test.start) == test.expected)
    }

    @Test func decodeDelayKeepsTheLastReencodedDtsBeforeTheCopiedKeyframe() throws {
        // The keyframe's dts is 3 frames before its pts: the re-encoded frames 3…5 get dts 0…2.
        let packets: [Packet] = [
            (0, -3, true), (3, -2, false), (1, -1, false), (2, 0, false), (5, 1, false), (4, 2, false),
            (6, 3, true), (7, 4, false),
        ].map { Packet(pts: $0.0, dts: $0.1, isKeyframe: $0.2) }
        let plan = try ExactClipPlan.make(packets: packets, start: 3)
        #expect(plan.reencode?.decodeDelay == 3)
        #expect(plan.reencode?.frameCount == 3)
        #expect(plan.copyFromIndex == 6)
    }

    @Test func openGOPKeyframeIsNotACopyPoint() throws {
        // The keyframe at pts 6 is followed in decode order by leading pictures 4 and 5,
        // which reference the GOP before: copying from it would break them.
        let packets: [Packet] = [
            (0, -1, true), (3, 0, false), (1, 1, false), (2, 2, false),
            (6, 3, true), (4, 4, false), (5, 5, false), (9, 6, false), (7, 7, false), (8, 8, false),
            (10, 9, true), (11, 10, false),
        ].map { Packet(pts: $0.0, dts: $0.1, isKeyframe: $0.2) }
        let plan = try ExactClipPlan.make(packets: packets, start: 1)
        #expect(
            plan
                == ExactClipPlan(
                    startPts: 1, reencode: .init(decodeFromIndex: 0, frameCount: 9, endPts: 10, decodeDelay: 1),
                    copyFromIndex: 10))
        // Nor is it a pure-copy start.
        #expect(try ExactClipPlan.make(packets: packets, start: 6).reencode?.decodeFromIndex == 4)
    }

    @Test func problems() {
        #expect(throws: ExactClipPlan.Problem.noVideoFrames) { try ExactClipPlan.make(packets: [], start: 0) }
        #expect(throws: ExactClipPlan.Problem.startAfterLastFrame(lastPts: 14)) {
            try ExactClipPlan.make(packets: Self.closedGOPs, start: 15)
        }
        let noKeyframe = Self.closedGOPs.map { Packet(pts: $0.pts, dts: $0.dts, isKeyframe: false) }
        #expect(throws: ExactClipPlan.Problem.noKeyframeBeforeStart) {
            try ExactClipPlan.make(packets: noKeyframe, start: 3)
        }
    }
}
