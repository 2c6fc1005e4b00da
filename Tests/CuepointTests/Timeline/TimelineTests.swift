import CuepointTestSupport
import CuepointTime
import Testing

@testable import Cuepoint

/// The recording's clock, fed events as a session would, without FFmpeg or files.
@Suite(.ownThreads) struct TimelineTests {
    static let t0 = WallClockTime(millisecondsSince1970: 1_700_000_000_000)
    static let ts = Rational(1, 90_000)

    static func media(_ milliseconds: Int64) -> MediaTime {
        MediaTime.milliseconds(milliseconds).rescaled(to: ts)
    }

    @Test func aRecordedInputMapsRecordingTimeToMediaAndStartDate() {
        var timeline = Timeline(isLive: false, startDate: Self.t0)
        #expect(timeline.current == nil)
        #expect(timeline.recordingZero(for: 0) == Self.t0)  // before any epoch: the start date
        let epoch = timeline.beginEpoch(origin: Self.media(1_400), now: WallClockTime(millisecondsSince1970: 5))
        #expect(epoch.wallClock == Self.t0)  // files: the start date, not the clock
        #expect(epoch.recordingOffsetMilliseconds == 0)
        #expect(epoch.recordingTime(of: Self.media(7_400)) == 6_000)
        #expect(epoch.mediaTime(ofRecording: 6_000) == Self.media(7_400))
        #expect(timeline.wallClock(ofRecording: 6_000) == Self.t0.advanced(by: .milliseconds(6_000)))
        timeline.reached(Self.media(9_400))
        #expect(timeline.reachedMilliseconds == 8_000)
        timeline.segmentClosed(endOffsetMilliseconds: 6_000)
        #expect(timeline.recordedMilliseconds == 6_000)
    }

    @Test func aLaterEpochOfAFileContinuesRecordingTimeAndWallClock() {
        var timeline = Timeline(isLive: false, startDate: Self.t0)
        _ = timeline.beginEpoch(origin: Self.media(0), now: Self.t0)
        timeline.segmentClosed(endOffsetMilliseconds: 10_000)
        // Timestamps jump to 500 s: the next epoch starts where recording time ended.
        let second = timeline.beginEpoch(origin: Self.media(500_000), now: WallClockTime(millisecondsSince1970: 0))
        #expect(timeline.hasEarlierEpoch)
        #expect(second.recordingOffsetMilliseconds == 10_000)
        #expect(second.wallClock == Self.t0.advanced(by: .milliseconds(10_000)))
        #expect(second.mediaTime(ofRecording: 12_000) == Self.media(502_000))
        // A marker at 4 s maps through the first epoch; one at 11 s through the second.
        #expect(timeline.epoch(holding: 4_000)?.origin == Self.media(0))
        #expect(timeline.epoch(holding: 11_000)?.origin == Self.media(500_000))
        #expect(timeline.wallClock(ofRecording: 11_000) == Self.t0.advanced(by: .milliseconds(11_000)))
    }

    @Test func aLiveEpochTakesItsWallClockFromTheInputsArrival() {
        var timeline = Timeline(isLive: true, startDate: nil)
        #expect(timeline.recordingZero(for: 0) == nil)
        timeline.inputArrived(at: Self.t0)
        timeline.sawPacket(at: Self.media(10_000))  // the first packet, a second before the keyframe
        timeline.sawPacket(at: Self.media(10_040))  // later packets do not move the anchor
        let epoch = timeline.beginEpoch(origin: Self.media(11_000), now: Self.t0.advanced(by: .milliseconds(3_000)))
        #expect(epoch.wallClock == Self.t0.advanced(by: .milliseconds(1_000)))
    }

    @Test func aReconnectStartsALaterEpochWhoseWallClockNeverGoesBack() {
        var timeline = Timeline(isLive: true, startDate: nil)
        timeline.inputArrived(at: Self.t0)
        _ = timeline.beginEpoch(origin: Self.media(0), now: Self.t0)
        timeline.wrote(until: Self.media(20_000))
        timeline.segmentClosed(endOffsetMilliseconds: 20_000)
        // The publisher comes back at once, but its arrival is earlier than where the recording
        // ends on the wall clock (a fast publisher): PDT continues instead of going back.
        timeline.inputRestarted(arrivedAt: Self.t0.advanced(by: .milliseconds(5_000)))
        let shift = timeline.shiftMilliseconds(forPacketAt: Self.media(0))
        #expect(shift == 20_100)  // 100 ms after the latest end written
        #expect(timeline.shiftMilliseconds(forPacketAt: Self.media(40)) == 20_100)  // fixed by the first packet
        timeline.sawPacket(at: Self.media(20_100))
        let second = timeline.beginEpoch(origin: Self.media(20_100), now: Self.t0)
        #expect(second.recordingOffsetMilliseconds == 20_000)
        #expect(second.wallClock == Self.t0.advanced(by: .milliseconds(20_000)))
        // Later: a real pause of a minute keeps its wall-clock gap.
        timeline.segmentClosed(endOffsetMilliseconds: 4_000)
        timeline.inputRestarted(arrivedAt: Self.t0.advanced(by: .milliseconds(90_000)))
        _ = timeline.shiftMilliseconds(forPacketAt: Self.media(0))
        timeline.sawPacket(at: Self.media(0))
        let third = timeline.beginEpoch(origin: Self.media(0), now: Self.t0)
        #expect(third.recordingOffsetMilliseconds == 24_000)
        #expect(third.wallClock == Self.t0.advanced(by: .milliseconds(90_000)))
    }

    @Test func aResumedRecordingContinuesAfterTheEarlierProcesssLastSegment() {
        var timeline = Timeline(isLive: true, startDate: nil)
        let lastPDT = Self.t0.advanced(by: .milliseconds(54_000))
        timeline.resume(recordedMilliseconds: 60_000, lastSegment: (lastPDT, 54_000), mediaEndMilliseconds: 61_400)
        #expect(timeline.recordedMilliseconds == 60_000)
        #expect(timeline.reachedMilliseconds == 60_000)
        #expect(timeline.recordingZero(for: 10_000) == Self.t0)
        // The new process's input starts at 0 and is shifted past what the segment holds.
        #expect(timeline.shiftMilliseconds(forPacketAt: Self.media(0)) == 61_500)
        // The new epoch is a discontinuity whose PDT never goes before the old mapping's end.
        timeline.inputArrived(at: Self.t0.advanced(by: .milliseconds(30_000)))
        let epoch = timeline.beginEpoch(origin: Self.media(61_500), now: Self.t0)
        #expect(timeline.hasEarlierEpoch)
        #expect(epoch.recordingOffsetMilliseconds == 60_000)
        #expect(epoch.wallClock == Self.t0.advanced(by: .milliseconds(60_000)))
    }

    @Test func anInputThatIsNotRestartedIsNotShifted() {
        var timeline = Timeline(isLive: true, startDate: nil)
        #expect(timeline.shiftMilliseconds(forPacketAt: Self.media(5_000)) == 0)
        // A restart before anything was written has nothing to continue after.
        timeline.inputRestarted(arrivedAt: Self.t0)
        #expect(timeline.shiftMilliseconds(forPacketAt: Self.media(5_000)) == 0)
    }
}
