import Cuepoint

extension DeliveryDirectives {
    /// Reads the directives from a query's parameters.
    ///
    /// - Throws: a message for a value that is not a decimal integer (or not `YES`/`v2`), and for
    ///   `_HLS_part` without `_HLS_msn` (bis §6.2.5.2: 400).
    init(query: [(String, String)]) throws(DirectiveError) {
        self.init()
        for (name, value) in query {
            switch name {
            case "_HLS_msn":
                guard let number = Int64(value), number >= 0, !value.hasPrefix("+") else {
                    throw DirectiveError("_HLS_msn: expected a decimal integer, got \"\(value)\"")
                }
                sequence = number
            case "_HLS_part":
                guard let number = Int64(value), number >= 0, !value.hasPrefix("+") else {
                    throw DirectiveError("_HLS_part: expected a decimal integer, got \"\(value)\"")
                }
                part = number
            case "_HLS_skip":
                guard let value = Skip(rawValue: value) else {
                    throw DirectiveError("_HLS_skip: expected YES or v2, got \"\(value)\"")
                }
                skip = value
            default:
                continue
            }
        }
        if part != nil && sequence == nil {
            throw DirectiveError("_HLS_part needs _HLS_msn (RFC 8216bis §6.2.5.2)")
        }
    }
}

/// Why a playlist request's delivery directives were refused (400).
struct DirectiveError: Error, Sendable, Equatable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
