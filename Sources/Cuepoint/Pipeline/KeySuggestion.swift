import Foundation

/// Finds the word a person most likely meant: the valid key for a misspelt one (`sgement` →
/// `segment`), the valid value for a wrong one (`mp4` → `fmp4`).
public enum KeySuggestion {
    /// The longest word a suggestion is searched for, in characters.
    static let longestWord = 64

    /// The candidate closest to `word`, or nil when none is close.
    ///
    /// Comparison ignores case and treats `-` as `_`. A candidate is close when its edit
    /// distance (see ``editDistance(_:_:)``) is at most 2 and smaller than the word's length, or, failing
    /// that, when it shares a prefix of at least 4 characters with the word (or the whole of
    /// the shorter of the two, if that is 3 characters or more): `dir` → `directory`,
    /// `segment_duration` → `segment`. Among close candidates the smallest distance wins, then
    /// the longest shared prefix, then the earlier candidate.
    ///
    /// A word longer than ``longestWord`` characters is not a slip of the fingers, and gets no
    /// suggestion (the search costs the product of the lengths).
    public static func closest(to word: String, among candidates: [String]) -> String? {
        guard !EchoedText.isLong(word, limit: longestWord) else { return nil }
        let normalized = normalize(word)
        guard !normalized.isEmpty else { return nil }
        var best: (candidate: String, distance: Int, prefix: Int)?
        for candidate in candidates {
            let other = normalize(candidate)
            let distance = editDistance(normalized, other)
            let prefix = commonPrefixLength(normalized, other)
            let shorter = min(normalized.count, other.count)
            let closeBySpelling = distance <= 2 && distance < normalized.count
            let closeByPrefix = shorter >= 3 && prefix >= min(4, shorter)
            guard closeBySpelling || closeByPrefix else { continue }
            // Spelling matches rank before prefix-only matches.
            let rankDistance = closeBySpelling ? distance : Int.max
            if let current = best {
                let currentRank = (current.distance, -current.prefix)
                guard (rankDistance, -prefix) < currentRank else { continue }
            }
            best = (candidate, rankDistance, prefix)
        }
        return best?.candidate
    }

    /// A valid name (`[a-z0-9][a-z0-9._-]*`) made from `text`: lower case without accents,
    /// other characters turned into `-`, leading punctuation dropped. Nil when nothing usable
    /// is left.
    static func slug(_ text: String) -> String? {
        var result = ""
        for character in text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased() {
            let valid = character.isASCII && (character.isLetter || character.isNumber)
            if valid || ".-_".contains(character) {
                guard !result.isEmpty || valid, !(character == "-" && result.last == "-") else { continue }
                result.append(character)
            } else if !result.isEmpty, result.last != "-" {
                result.append("-")
            }
        }
        while let last = result.last, last == "-" || last == "." || last == "_" { result.removeLast() }
        return result.isEmpty ? nil : result
    }

    /// The edit distance between two strings, in characters: Levenshtein's insertions,
    /// deletions and substitutions, plus the swap of two neighbours as one edit (the "optimal
    /// string alignment" distance), because `sgement` and `rmtp` are one slip of the fingers.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        // rows[i][j]: distance between the first i characters of a and the first j of b.
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var distance = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    distance = min(distance, rows[i - 2][j - 2] + 1)
                }
                rows[i][j] = distance
            }
        }
        return rows[a.count][b.count]
    }

    private static func normalize(_ word: String) -> String {
        String(word.lowercased().map { $0 == "-" ? "_" : $0 })
    }

    private static func commonPrefixLength(_ lhs: String, _ rhs: String) -> Int {
        zip(lhs, rhs).prefix { $0 == $1 }.count
    }
}
