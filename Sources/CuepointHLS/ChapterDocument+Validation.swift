import CuepointJSON
import CuepointTime

extension ChapterDocument {
    /// Everything that breaks the rules of the chapter format (hls-reference §5), as sentences
    /// naming the entry by its 1-based position; empty when the document is valid.
    ///
    /// Checks:
    /// - `chapter` is at least 1;
    /// - `start-time` is at least 0, and entries are in order of `start-time` (equal starts allowed,
    ///   for a chapter and the first chapter nested in it);
    /// - `duration`, when set, is more than 0;
    /// - chapters that are nested or overlap have durations: a chapter without one runs to the next
    ///   start, so it needs one when it starts inside an earlier chapter's explicit span, or at the
    ///   same time as the next chapter;
    /// - title languages are not empty (`und` when unknown);
    /// - image categories and URLs are not empty, and pixel sizes are more than 0;
    /// - metadata keys are reverse-DNS (at least two dot-separated labels of letters, digits, `-`
    ///   and `_`), each key and language pair appears once per chapter, and number values are JSON
    ///   numbers.
    public func validationProblems() -> [String] {
        var problems: [String] = []
        for (index, chapter) in chapters.enumerated() {
            let entry = "entry \(index + 1)"
            if chapter.number < 1 { problems.append("\(entry): chapter \(chapter.number) is not at least 1") }
            if chapter.startMilliseconds < 0 {
                problems.append("\(entry): start-time \(seconds(chapter.startMilliseconds)) is negative")
            }
            if let duration = chapter.durationMilliseconds, duration <= 0 {
                problems.append("\(entry): duration \(seconds(duration)) is not more than 0")
            }
            if index > 0, chapter.startMilliseconds < chapters[index - 1].startMilliseconds {
                problems.append(
                    "\(entry): start-time \(seconds(chapter.startMilliseconds)) is before the start-time "
                        + "\(seconds(chapters[index - 1].startMilliseconds)) of entry \(index); "
                        + "chapters must be in order of start-time")
            }
            if chapter.durationMilliseconds == nil {
                problems += nestingProblems(ofChapterWithoutDurationAt: index)
            }
            for (titleIndex, title) in chapter.titles.enumerated() where title.language.isEmpty {
                problems.append("\(entry) title \(titleIndex + 1): language is empty; use \"und\" when it is unknown")
            }
            for (imageIndex, image) in chapter.images.enumerated() {
                let name = "\(entry) image \(imageIndex + 1)"
                if image.category.isEmpty { problems.append("\(name): image-category is empty") }
                if image.url.isEmpty { problems.append("\(name): url is empty") }
                if image.pixelWidth <= 0 {
                    problems.append("\(name): pixel-width \(image.pixelWidth) is not more than 0")
                }
                if image.pixelHeight <= 0 {
                    problems.append("\(name): pixel-height \(image.pixelHeight) is not more than 0")
                }
            }
            var seen: Set<MetadataKey> = []
            for (metadataIndex, item) in chapter.metadata.enumerated() {
                let name = "\(entry) metadata \(metadataIndex + 1)"
                if !ChapterDocument.isReverseDNS(item.key) {
                    problems.append("\(name): key \(JSONWriter.quoted(item.key)) is not a reverse-DNS name")
                }
                if !seen.insert(MetadataKey(key: item.key, language: item.language)).inserted {
                    let language = item.language.map { "language \(JSONWriter.quoted($0))" } ?? "no language"
                    problems.append(
                        "\(name): key \(JSONWriter.quoted(item.key)) with \(language) appears twice in the chapter")
                }
                if case .number(let text) = item.value, !ChapterDocument.isJSONNumber(text) {
                    problems.append("\(name): value \(text) is not a JSON number")
                }
            }
        }
        return problems
    }

    /// The problems of a chapter without a duration that is nested in or overlaps another chapter.
    private func nestingProblems(ofChapterWithoutDurationAt index: Int) -> [String] {
        let chapter = chapters[index]
        let entry = "entry \(index + 1)"
        var problems: [String] = []
        if index + 1 < chapters.count, chapters[index + 1].startMilliseconds == chapter.startMilliseconds {
            problems.append(
                "\(entry): starts together with entry \(index + 2), so it is nested and needs a duration "
                    + "(without one it would end where it starts)")
        }
        for earlier in chapters[..<index].indices {
            let other = chapters[earlier]
            guard let duration = other.durationMilliseconds else { continue }
            let (end, overflow) = other.startMilliseconds.addingReportingOverflow(duration)
            if other.startMilliseconds <= chapter.startMilliseconds,
                overflow || chapter.startMilliseconds < end
            {
                problems.append(
                    "\(entry): starts inside entry \(earlier + 1) (\(seconds(other.startMilliseconds)) s + "
                        + "\(seconds(duration)) s), so it is nested or overlapping and needs a duration")
                break
            }
        }
        return problems
    }

    /// Whether a metadata key is a reverse-DNS name: two or more non-empty dot-separated labels
    /// of ASCII letters, digits, `-` and `_` (`com.example.shop.sku`).
    static func isReverseDNS(_ key: String) -> Bool {
        let labels = key.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(isLabelByte) }
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    /// Whether the text matches the JSON number grammar `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isJSONNumber(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.hasPrefix("-") { rest = rest.dropFirst() }
        func digits(_ text: inout Substring) -> Int {
            let count = text.utf8.prefix(while: DecimalText.isDigit).count
            text = text.dropFirst(count)
            return count
        }
        let whole = rest
        let wholeCount = digits(&rest)
        guard wholeCount > 0, wholeCount == 1 || whole.first != "0" else { return false }
        if rest.hasPrefix(".") {
            rest = rest.dropFirst()
            guard digits(&rest) > 0 else { return false }
        }
        if rest.hasPrefix("e") || rest.hasPrefix("E") {
            rest = rest.dropFirst()
            if rest.hasPrefix("+") || rest.hasPrefix("-") { rest = rest.dropFirst() }
            guard digits(&rest) > 0 else { return false }
        }
        return rest.isEmpty
    }

    private func seconds(_ milliseconds: Int64) -> String {
        SecondsText.shortest(milliseconds: milliseconds)
    }
}

/// What must be unique among the metadata of one chapter.
private struct MetadataKey: Hashable {
    var key: String
    var language: String?
}
