public import CuepointTime

// MARK: - Overview
//
// A product marker says "product P is on screen from time T (for D seconds)". Markers come from
// three sources (a static list in the pipeline file, a JSON-lines file, the library and HTTP API)
// and all of them go through one path:
//
//     JSON line / pipeline list / API body
//        ──MarkerDecoder──▶ Marker            (fields checked, no context needed)
//        ──MarkerValidator──▶ PlacedMarker    (placed on the recording's timeline: id unique,
//                                              times inside the recording)
//        ──MarkerLog.append──▶ markers.jsonl  (durable, fsync'd before it is acknowledged)
//        ──dateRange / cardJSON──▶ EXT-X-DATERANGE in every media playlist, ID3 in the segments
//
// The format is documented in `docs/markers.md`.

/// A product marker as its source gave it: who the product is, what to show, and when.
///
/// Values come out of ``MarkerDecoder`` already checked (see `docs/markers.md` for every rule);
/// times are not yet placed on a recording (that is ``MarkerValidator``'s job, which makes a
/// ``PlacedMarker``).
public struct Marker: Sendable, Equatable {
    /// The longest ``title``, in characters.
    public static let maximumTitleLength = 200
    /// The longest ``product``, in characters.
    public static let maximumProductLength = 128
    /// The longest ``url`` or ``image``, in UTF-8 bytes.
    public static let maximumURLLength = 2048

    /// Unique within a recording: 1 to 64 of `A-Z a-z 0-9 . _ : -`. Generated when the source
    /// gives none: `m-` and 8 hexadecimal digits of a hash of the marker (see
    /// ``isGeneratedID(_:)``); ids of that form are reserved for generated ones.
    public var id: String
    /// The product's identifier in the shop (a SKU); ``id`` when the source gives none. Any text,
    /// 1 to 128 characters.
    public var product: String
    /// What a player shows: 1 to 200 characters, not only white space. Any Unicode is kept as
    /// given (quotes, line breaks, right-to-left text, emoji); it is made safe only where it is
    /// written into a playlist.
    public var title: String
    /// The product page: an `http` or `https` URL. Required: ``MarkerDecoder`` and
    /// ``MarkerValidator`` reject a marker without one (the type keeps it optional, as the
    /// library API was first drawn, so a marker built in code is checked rather than unbuildable).
    public var url: String?
    /// The price as decimal text, exactly as given (`"24.99"`, `"89.0"`): not negative, at most
    /// four decimals, no exponent.
    public var price: String?
    /// The price's currency: an ISO 4217 code, three uppercase letters (`USD`).
    public var currency: String?
    /// A picture of the product: an `http` or `https` URL.
    public var image: String?
    /// Free string attributes for the player; keys are 1 to 32 of `a-z 0-9 _ -`.
    public var attributes: [String: String]
    /// When the product appears.
    public var start: MarkerTime
    /// When it disappears; nil while the marker is open (it is closed later).
    public var end: MarkerEnd?

    public init(
        id: String,
        product: String? = nil,
        title: String,
        url: String?,
        price: String? = nil,
        currency: String? = nil,
        image: String? = nil,
        attributes: [String: String] = [:],
        start: MarkerTime,
        end: MarkerEnd? = nil
    ) {
        self.id = id
        self.product = product ?? id
        self.title = title
        self.url = url
        self.price = price
        self.currency = currency
        self.image = image
        self.attributes = attributes
        self.start = start
        self.end = end
    }

    /// Whether `id` has the reserved form of a generated id: `m-`, 8 lowercase hexadecimal
    /// digits, and optionally `-` and a number (added when two generated ids collide).
    public static func isGeneratedID(_ id: String) -> Bool {
        let bytes = Array(id.utf8)
        guard bytes.count >= 10, bytes[0] == UInt8(ascii: "m"), bytes[1] == UInt8(ascii: "-"),
            bytes[2..<10].allSatisfy(isLowerHex)
        else { return false }
        if bytes.count == 10 { return true }
        return bytes.count > 11 && bytes[10] == UInt8(ascii: "-") && bytes[11...].allSatisfy(isDigit)
    }

    /// Whether `id` is 1 to 64 of `A-Z a-z 0-9 . _ : -`.
    public static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { isDigit($0) || isASCIILetter($0) || ".-_:".utf8.contains($0) }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func isLowerHex(_ byte: UInt8) -> Bool { isDigit(byte) || (0x61...0x66).contains(byte) }
    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}

/// A point in time as a marker source writes it.
public enum MarkerTime: Sendable, Equatable {
    /// Milliseconds from the start of the recording (media time 0). Written as a number of
    /// seconds (`12.5`) or a duration text (`"12.5s"`, `"1m30s"`).
    case offset(milliseconds: Int64)
    /// A wall-clock instant (an ISO 8601 date-time with a time zone), placed on the recording
    /// through its start date.
    case date(WallClockTime)
    /// The moment the marker is received; only the live API accepts it.
    case now
}

/// How a marker ends.
public enum MarkerEnd: Sendable, Equatable {
    /// A length, in milliseconds, from the marker's start (`duration`).
    case duration(milliseconds: Int64)
    /// A point in time (`end`), in the same forms as the start.
    case time(MarkerTime)
}
