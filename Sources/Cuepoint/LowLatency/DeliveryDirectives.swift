/// What an LL-HLS playlist request asks for (bis §6.2.5): the segment (`_HLS_msn`) and part
/// (`_HLS_part`) to wait for, and a delta update (`_HLS_skip`). The server reads them from the
/// request's query (`CuepointServer`); the part store waits for them.
public struct DeliveryDirectives: Sendable, Equatable {
    public enum Skip: String, Sendable, Equatable {
        /// `_HLS_skip=YES`: skip old segments, keep every date range.
        case segments = "YES"
        /// `_HLS_skip=v2`: skip old segments and the date ranges of skipped segments.
        case segmentsAndDateRanges = "v2"
    }

    public var sequence: Int64?
    public var part: Int64?
    public var skip: Skip?

    public init(sequence: Int64? = nil, part: Int64? = nil, skip: Skip? = nil) {
        self.sequence = sequence
        self.part = part
        self.skip = skip
    }
}
