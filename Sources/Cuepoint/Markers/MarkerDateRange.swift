public import CuepointHLS
public import CuepointTime
import Foundation

/// The `X-` attributes of a marker's EXT-X-DATERANGE (their meaning is defined by the CLASS).
public enum MarkerAttribute {
    /// The product id (``Marker/product``), made quoted-string safe.
    public static let product = "X-COM-CUEPOINT-PRODUCT"
    /// The title, made quoted-string safe (see ``MarkerText/quotedStringSafe(_:)``).
    public static let title = "X-COM-CUEPOINT-TITLE"
    /// The product page, made quoted-string safe.
    public static let url = "X-COM-CUEPOINT-URL"
    /// The price, a decimal number attribute (`24.99`).
    public static let price = "X-COM-CUEPOINT-PRICE"
    /// The ISO 4217 currency code.
    public static let currency = "X-COM-CUEPOINT-CURRENCY"
    /// The whole card, losslessly: base64url (no padding) of ``Marker/cardJSON``.
    public static let card = "X-COM-CUEPOINT-CARD"
}

extension PlacedMarker {
    /// The EXT-X-DATERANGE that publishes this marker.
    ///
    /// ID is the marker's id, CLASS is `className`, START-DATE is `recordingStart` plus the
    /// marker's start, DURATION is written when the marker is closed (never END-ON-NEXT), and
    /// the client attributes are those of ``MarkerAttribute``: product, title, url, price,
    /// currency (each only when the marker has it) and card. Text attributes go through
    /// ``MarkerText/quotedStringSafe(_:)``, so nothing in a marker can break the playlist; the
    /// card keeps every field exactly.
    ///
    /// - Parameters:
    ///   - className: The CLASS (`markers.class` of the pipeline, `com.cuepoint.product` by default).
    ///   - recordingStart: The wall-clock time of media time 0.
    public func dateRange(className: String, recordingStart: WallClockTime) -> DateRange {
        DateRange(
            id: MarkerText.quotedStringSafe(marker.id),
            classAttribute: MarkerText.quotedStringSafe(className),
            startDate: WallClockTime(millisecondsSince1970: recordingStart.millisecondsSince1970 + startMilliseconds),
            durationMilliseconds: durationMilliseconds,
            clientAttributes: clientAttributes)
    }

    /// The EXT-X-DATERANGE that closes this marker, published while open, after
    /// `durationMilliseconds`: the same ID, CLASS, START-DATE and attributes as
    /// ``dateRange(className:recordingStart:)`` gave, plus DURATION. A client merges the two.
    ///
    /// - Parameters:
    ///   - durationMilliseconds: How long the marker lasted, in milliseconds (≥ 0).
    public func closingDateRange(
        className: String,
        recordingStart: WallClockTime,
        durationMilliseconds: Int64
    ) -> DateRange {
        closed(durationMilliseconds: durationMilliseconds).dateRange(
            className: className, recordingStart: recordingStart)
    }

    /// The card as canonical JSON in UTF-8 (see ``Marker/cardJSON``): also the ID3 TXXX payload.
    public var cardJSON: [UInt8] { marker.cardJSON }

    /// The value of the card attribute: base64url of ``cardJSON`` without padding.
    public var cardBase64URL: String { MarkerText.base64URL(cardJSON) }

    private var clientAttributes: [ClientAttribute] {
        var attributes = [
            ClientAttribute(name: MarkerAttribute.product, value: .string(MarkerText.quotedStringSafe(marker.product))),
            ClientAttribute(name: MarkerAttribute.title, value: .string(MarkerText.quotedStringSafe(marker.title))),
        ]
        if let url = marker.url {
            attributes.append(
                ClientAttribute(name: MarkerAttribute.url, value: .string(MarkerText.quotedStringSafe(url))))
        }
        if let price = marker.price {
            attributes.append(ClientAttribute(name: MarkerAttribute.price, value: .number(price)))
        }
        if let currency = marker.currency {
            attributes.append(
                ClientAttribute(name: MarkerAttribute.currency, value: .string(MarkerText.quotedStringSafe(currency))))
        }
        attributes.append(ClientAttribute(name: MarkerAttribute.card, value: .string(cardBase64URL)))
        return attributes
    }
}

/// Marker text made fit for playlists.
public enum MarkerText {
    /// `text` made safe for an HLS quoted-string, which has no escape mechanism (hls-reference §1):
    ///
    /// - normalized to NFC, as playlists must be;
    /// - `"` becomes `'`;
    /// - each run of control characters (U+0000–001F, which includes CR, LF and TAB, and
    ///   U+007F–009F) becomes one space;
    /// - everything else is kept: `<`, `&`, `\`, right-to-left text, emoji sequences with ZWJ;
    /// - an empty result becomes `-` (a quoted-string must not be empty).
    public static func quotedStringSafe(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        var inControlRun = false
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                if !inControlRun { result.append(" ") }
                inControlRun = true
                continue
            }
            inControlRun = false
            result.append(scalar == "\"" ? "'" : scalar)
        }
        return result.isEmpty ? "-" : String(result)
    }

    /// Base64url (RFC 4648 §5: `-` and `_` instead of `+` and `/`) without `=` padding.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return String(
            text.map { character -> Character in
                switch character {
                case "+": return "-"
                case "/": return "_"
                default: return character
                }
            })
    }

    /// The bytes of base64url text with or without padding; nil when it is not base64url.
    public static func bytes(fromBase64URL text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return nil
        }
        var standard = String(
            text.map { character -> Character in
                switch character {
                case "-": return "+"
                case "_": return "/"
                default: return character
                }
            })
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
