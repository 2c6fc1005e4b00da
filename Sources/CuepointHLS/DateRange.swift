public import CuepointTime

/// A span of wall-clock time with attributes, written as EXT-X-DATERANGE: how Cuepoint publishes a
/// product marker (hls-reference §4).
///
/// Rendered as `#EXT-X-DATERANGE:` followed by ID, CLASS, START-DATE, END-DATE, DURATION,
/// PLANNED-DURATION, END-ON-NEXT and the client attributes, in that order, each only when set.
/// A playlist with a date range must also have an EXT-X-PROGRAM-DATE-TIME.
///
/// To close a range opened earlier, add a second `DateRange` with the same `id` and the same
/// attributes plus `durationMilliseconds` (or `endDate`); never change or drop an attribute.
public struct DateRange: Hashable, Sendable {
    /// The ID attribute (quoted-string, required): unique per range; repeated only by tags that
    /// update the same range.
    public var id: String
    /// The CLASS attribute (quoted-string): defines what the client attributes mean, e.g.
    /// `com.example.shop.product`. Required with `endOnNext`.
    public var classAttribute: String?
    /// The START-DATE attribute: when the range begins; always written (bis lets updates omit it,
    /// the RFC does not).
    public var startDate: WallClockTime
    /// The END-DATE attribute: when the range ends (inclusive of nothing after it); not before
    /// `startDate`, and equal to `startDate + durationMilliseconds` when both are set.
    public var endDate: WallClockTime?
    /// The DURATION attribute, in milliseconds (written in seconds with three decimals); 0 for an instant.
    public var durationMilliseconds: Int64?
    /// The PLANNED-DURATION attribute, in milliseconds: the expected length while the real one is unknown.
    public var plannedDurationMilliseconds: Int64?
    /// Writes `END-ON-NEXT=YES`: the range ends where the next range of the same CLASS begins.
    /// Needs `classAttribute`; forbids `durationMilliseconds` and `endDate`.
    public var endOnNext: Bool
    /// The `X-` attributes, in the order they are written.
    public var clientAttributes: [ClientAttribute]

    public init(
        id: String,
        classAttribute: String? = nil,
        startDate: WallClockTime,
        endDate: WallClockTime? = nil,
        durationMilliseconds: Int64? = nil,
        plannedDurationMilliseconds: Int64? = nil,
        endOnNext: Bool = false,
        clientAttributes: [ClientAttribute] = []
    ) {
        self.id = id
        self.classAttribute = classAttribute
        self.startDate = startDate
        self.endDate = endDate
        self.durationMilliseconds = durationMilliseconds
        self.plannedDurationMilliseconds = plannedDurationMilliseconds
        self.endOnNext = endOnNext
        self.clientAttributes = clientAttributes
    }
}
