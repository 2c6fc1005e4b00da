import CuepointTestSupport
import CuepointTime
import Testing

@Suite(.ownThreads) struct MediaTimeTests {
    @Test(arguments: [
        (Int64(90_000), Rational.mpegTS, Rational.milliseconds, Rounding.nearest, Int64(1000)),
        (Int64(3003), Rational.mpegTS, Rational.milliseconds, Rounding.nearest, Int64(33)),
        (Int64(1501), Rational(1, 3000), Rational.milliseconds, Rounding.nearest, Int64(500)),
        (Int64(1), Rational(1, 2000), Rational.milliseconds, Rounding.nearest, Int64(1)),
        (Int64(-1), Rational(1, 2000), Rational.milliseconds, Rounding.nearest, Int64(-1)),
        (Int64(1), Rational(1, 3000), Rational.milliseconds, Rounding.down, Int64(0)),
        (Int64(1), Rational(1, 3000), Rational.milliseconds, Rounding.up, Int64(1)),
        (Int64(-1), Rational(1, 3000), Rational.milliseconds, Rounding.down, Int64(-1)),
        (Int64(8_589_934_591), Rational.mpegTS, Rational(1, 48_000), Rounding.nearest, Int64(4_581_298_449)),
    ])
    func rescale(ticks: Int64, from: Rational, to: Rational, rounding: Rounding, expected: Int64) {
        #expect(MediaTime(ticks: ticks, timeBase: from).rescaled(to: to, rounding: rounding).ticks == expected)
    }

    @Test func comparisonIsExactAcrossTimeBases() {
        let a = MediaTime(ticks: 3003, timeBase: .mpegTS)
        let b = MediaTime(ticks: 1001, timeBase: Rational(1, 30_000))
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(MediaTime(ticks: 3004, timeBase: .mpegTS) > b)
        #expect(MediaTime(ticks: Int64.max / 2, timeBase: .mpegTS) > MediaTime(ticks: 1, timeBase: Rational(1, 1)))
    }

    @Test func arithmeticUsesTheFinerBase() {
        let sum = MediaTime.milliseconds(500) + MediaTime(ticks: 45_000, timeBase: .mpegTS)
        #expect(sum == .seconds(1))
        #expect((MediaTime.seconds(2) - .milliseconds(1500)).milliseconds == 500)
    }
}

@Suite(.ownThreads) struct WallClockTimeTests {
    @Test func rendersUTCWithMilliseconds() {
        #expect(WallClockTime(millisecondsSince1970: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(WallClockTime(millisecondsSince1970: 1_741_975_204_200).iso8601 == "2025-03-14T18:00:04.200Z")
        #expect(WallClockTime(millisecondsSince1970: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(WallClockTime(millisecondsSince1970: 951_782_400_000).iso8601 == "2000-02-29T00:00:00.000Z")
    }

    @Test(arguments: [
        ("2025-03-14T18:00:04.200Z", Int64(1_741_975_204_200)),
        ("2025-03-14T18:00:04Z", Int64(1_741_975_204_000)),
        ("2025-03-14T20:00:04.2+02:00", Int64(1_741_975_204_200)),
        ("2025-03-14T13:00:04.2004-05:00", Int64(1_741_975_204_200)),
        ("2025-03-14T18:00:04.2006Z", Int64(1_741_975_204_201)),
    ])
    func parses(text: String, millis: Int64) {
        #expect(WallClockTime(iso8601: text)?.millisecondsSince1970 == millis)
    }

    @Test(arguments: ["", "2025-03-14", "2025-03-14T18:00:04", "2025-13-14T18:00:04Z", "2025-03-14T18:00:04.Z",
                      "2025-03-14T18:00:04Zjunk", "2025-03-14 18:00:04Z"])
    func rejects(text: String) {
        #expect(WallClockTime(iso8601: text) == nil)
    }

    @Test func roundTrips() {
        for millis: Int64 in [0, 1, 999, 1_000, 86_399_999, 1_741_975_204_200, 4_102_444_800_000] {
            let time = WallClockTime(millisecondsSince1970: millis)
            #expect(WallClockTime(iso8601: time.iso8601) == time)
        }
    }
}

@Suite(.ownThreads) struct DurationTextTests {
    @Test(arguments: [("6s", Int64(6000)), ("1.5s", 1500), ("500ms", 500), ("2m", 120_000), ("1h30m", 5_400_000),
                      ("90", 90_000), ("0.25", 250), ("1.0005s", 1001), (" 4s ", 4000)])
    func parses(text: String, millis: Int64) {
        #expect(DurationText.parse(text)?.milliseconds == millis)
    }

    @Test(arguments: ["", "s", "6x", "-1s", "1..5s", "6 s s", "1.5.2s", "abc", "6s5"])
    func rejects(text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    @Test func formats() {
        #expect(DurationText.format(.milliseconds(6000)) == "6s")
        #expect(DurationText.format(.milliseconds(1500)) == "1.5s")
        #expect(DurationText.format(.milliseconds(250)) == "250ms")
    }
}
