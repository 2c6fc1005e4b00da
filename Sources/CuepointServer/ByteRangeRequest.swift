import Foundation

/// A `Range: bytes=…` request header (RFC 9110 §14.1.2) for one range, and the bytes it selects
/// in a representation of a known length.
///
/// Hummingbird's file middleware reads `bytes=-N` as the first N + 1 bytes (it means the last
/// N) and answers a range that starts past the end with a broken `Content-Range`. This reading
/// is the RFC's; ``RangeMiddleware`` resolves a range with it and hands the file middleware
/// only explicit `first-last` ranges, or answers 416 itself.
///
/// Pure: no I/O, tested without a server.
enum ByteRangeRequest: Equatable {
    /// `bytes=FIRST-LAST` or `bytes=FIRST-` (LAST nil: to the end).
    case from(first: Int, last: Int?)
    /// `bytes=-LENGTH`: the last LENGTH bytes.
    case suffix(length: Int)

    /// What a range selects in a representation of `length` bytes.
    enum Resolution: Equatable {
        /// These bytes, first to last inclusive (last clamped to the end).
        case bytes(ClosedRange<Int>)
        /// Nothing: 416, with `Content-Range: bytes */LENGTH`. A range starting at or past the
        /// end, a zero-length suffix, or any range of an empty representation.
        case unsatisfiable
    }

    /// The one range of a `Range` header's value; nil for anything this server does not honour
    /// (another unit, several ranges, malformed text), which RFC 9110 §14.2 lets it ignore:
    /// the whole representation is sent.
    init?(header: String) {
        let value = header.trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix("bytes=") else { return nil }
        let spec = value.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ text: String) -> Int? {
            guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(text)
        }
        if first.isEmpty {
            guard let length = number(last) else { return nil }
            self = .suffix(length: length)
        } else {
            guard let start = number(first) else { return nil }
            if last.isEmpty {
                self = .from(first: start, last: nil)
            } else {
                // A last position before the first makes the header invalid: ignored (§14.1.1).
                guard let end = number(last), end >= start else { return nil }
                self = .from(first: start, last: end)
            }
        }
    }

    /// The bytes this range selects in `length` bytes (§14.1.2, §14.1.3).
    func resolve(length: Int) -> Resolution {
        guard length > 0 else { return .unsatisfiable }
        switch self {
        case .from(let first, let last):
            guard first < length else { return .unsatisfiable }
            return .bytes(first...min(last ?? length - 1, length - 1))
        case .suffix(let count):
            guard count > 0 else { return .unsatisfiable }
            return .bytes(max(0, length - count)...(length - 1))
        }
    }
}
