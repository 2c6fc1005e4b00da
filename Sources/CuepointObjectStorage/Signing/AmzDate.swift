import Foundation

/// A signing time, whole seconds since 1970 in UTC, with the two spellings SigV4 needs.
public struct AmzDate: Sendable, Equatable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var secondsSince1970: Int64

    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// The current time of the system clock.
    public static func now() -> AmzDate {
        AmzDate(secondsSince1970: Int64(Date().timeIntervalSince1970.rounded(.down)))
    }

    /// `20130524T000000Z`: the `x-amz-date` header and the second line of the string to sign.
    public var timestamp: String {
        let parts = civil
        return pad(parts.year, 4) + pad(parts.month, 2) + pad(parts.day, 2) + "T" + pad(parts.hour, 2)
            + pad(parts.minute, 2) + pad(parts.second, 2) + "Z"
    }

    /// `20130524`: the first element of the credential scope.
    public var day: String { String(timestamp.prefix(8)) }

    /// Reads an HTTP `Date` header (`Fri, 24 May 2013 00:00:00 GMT`, RFC 9110's IMF-fixdate),
    /// as a server sends it with a `RequestTimeTooSkewed` answer.
    public init?(httpDate text: String) {
        // `Fri, 24 May 2013 00:00:00 GMT`: weekday, day, month name, year, time, zone.
        let words = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard words.count == 6, words[5] == "GMT", let day = Int(words[1]),
            let month = months.firstIndex(of: String(words[2])), let year = Int(words[3])
        else { return nil }
        let clock = words[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var fields = tm()
        fields.tm_year = Int32(year - 1900)
        fields.tm_mon = Int32(month)
        fields.tm_mday = Int32(day)
        fields.tm_hour = Int32(clock[0])
        fields.tm_min = Int32(clock[1])
        fields.tm_sec = Int32(clock[2])
        secondsSince1970 = Int64(timegm(&fields))
    }

    public static func < (lhs: AmzDate, rhs: AmzDate) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    private var civil: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var time = time_t(secondsSince1970)
        var fields = tm()
        gmtime_r(&time, &fields)
        return (
            Int(fields.tm_year) + 1900, Int(fields.tm_mon) + 1, Int(fields.tm_mday), Int(fields.tm_hour),
            Int(fields.tm_min), Int(fields.tm_sec)
        )
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
