/// The secret of the marker API, and the check of a request's `Authorization: Bearer …` header
/// (RFC 6750).
///
/// The comparison takes the same time whatever the request sends, so that the response time
/// does not tell how much of a guess was right: every byte of the token is compared, and the
/// differences are folded into one value checked at the end.
struct BearerToken: Sendable {
    private let expected: [UInt8]

    /// nil for an empty token: an empty secret would let anyone in.
    init?(_ token: String) {
        guard !token.isEmpty else { return nil }
        expected = Array(token.utf8)
    }

    /// Whether `authorization` (the header's value) is `Bearer` and this token.
    func admits(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let trimmed = authorization.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " "), trimmed[..<space].lowercased() == "bearer" else { return false }
        let credentials = trimmed[space...].drop { $0 == " " }
        var end = credentials.endIndex
        while end > credentials.startIndex, credentials[credentials.index(before: end)] == " " {
            end = credentials.index(before: end)
        }
        return Self.constantTimeEqual(Array(credentials[..<end].utf8), expected)
    }

    /// Whether `given` equals `expected`, in a time that depends only on `expected.count`.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt64(truncatingIfNeeded: given.count ^ expected.count)
        for index in expected.indices {
            let byte = index < given.count ? given[index] : 0
            difference |= UInt64(byte ^ expected[index])
        }
        return difference == 0
    }
}
