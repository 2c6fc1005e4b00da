import CuepointJSON
extension ChapterDocument {
    /// Reads a chapter document, strictly.
    ///
    /// The text must be RFC 8259 JSON (see ``JSONParser``): an array of chapter objects with exactly
    /// the keys `encoded()` writes. Accepts any whitespace and key order, and empty `titles`,
    /// `images` or `metadata` arrays (read as empty, so not written again). Rejects, with the line
    /// number: a missing `chapter`, `start-time`, title `language` or `title`, image field, metadata
    /// `key` or `value`; an unknown key; a value of the wrong JSON type; a `chapter`, `pixel-width`
    /// or `pixel-height` that is not an integer (`1.0` and `1e0` included); a time out of range.
    /// A metadata `value` must be a string, number or boolean.
    ///
    /// `start-time` and `duration` are read as exact decimals and rounded to the nearest
    /// millisecond, halves away from zero: `4.2` → 4200, `4.2000000000000002` (a `Double` printed
    /// in full) → 4200, `0.0005` → 1. Rounding, not rejection, because other writers print binary
    /// floating point; text `encoded()` wrote always reads back exactly.
    ///
    /// Parsing checks syntax and types only: call `validationProblems()` for the rules of the
    /// format (order, positive durations, nesting, unique metadata). Text produced by `encoded()`
    /// parses back to an equal value and encodes to the same bytes.
    ///
    /// - Throws: `ChapterParseError` for the first problem found.
    public static func parse(_ text: String) throws(ChapterParseError) -> ChapterDocument {
        let root: JSONValue
        do {
            root = try JSONParser.parse(text)
        } catch {
            throw ChapterParseError(line: error.line, message: error.message)
        }
        guard case .array(let entries) = root.kind else {
            throw ChapterParseError(
                line: root.line, message: "the document must be a JSON array of chapters, not \(root.typeName)")
        }
        var chapters: [Chapter] = []
        for (index, entry) in entries.enumerated() {
            chapters.append(try Chapter(json: entry, context: "entry \(index + 1)"))
        }
        return ChapterDocument(chapters: chapters)
    }
}

extension Chapter {
    fileprivate init(json: JSONValue, context: String) throws(ChapterParseError) {
        var object = try JSONObjectReader(json, context: context)
        let number = try object.integer("chapter")
        let start = try object.milliseconds("start-time")
        let duration = try object.optionalMilliseconds("duration")
        var titles: [ChapterTitle] = []
        for (index, item) in try object.array("titles").enumerated() {
            var title = try JSONObjectReader(item, context: "\(context) title \(index + 1)")
            titles.append(ChapterTitle(language: try title.string("language"), title: try title.string("title")))
            try title.finish()
        }
        var images: [ChapterImage] = []
        for (index, item) in try object.array("images").enumerated() {
            var image = try JSONObjectReader(item, context: "\(context) image \(index + 1)")
            images.append(
                ChapterImage(
                    category: try image.string("image-category"), pixelWidth: try image.integer("pixel-width"),
                    pixelHeight: try image.integer("pixel-height"), url: try image.string("url")))
            try image.finish()
        }
        var metadata: [ChapterMetadata] = []
        for (index, item) in try object.array("metadata").enumerated() {
            var entry = try JSONObjectReader(item, context: "\(context) metadata \(index + 1)")
            let key = try entry.string("key")
            let value = try entry.metadataValue("value")
            metadata.append(ChapterMetadata(key: key, value: value, language: try entry.optionalString("language")))
            try entry.finish()
        }
        try object.finish()
        self.init(
            number: number, startMilliseconds: start, durationMilliseconds: duration, titles: titles, images: images,
            metadata: metadata)
    }
}

/// Takes the members of one JSON object by key with the expected type, like `AttributeList` does
/// for playlist tags; `finish()` rejects the keys nobody took.
private struct JSONObjectReader {
    /// Names the object in messages: `entry 2 image 1`.
    private let context: String
    private let line: Int
    private let members: [JSONMember]
    private var taken: Set<String> = []

    init(_ value: JSONValue, context: String) throws(ChapterParseError) {
        guard case .object(let members) = value.kind else {
            throw ChapterParseError(line: value.line, message: "\(context) must be an object, not \(value.typeName)")
        }
        self.context = context
        self.line = value.line
        self.members = members
    }

    mutating func string(_ key: String) throws(ChapterParseError) -> String {
        let value = try required(key)
        guard case .string(let text) = value.kind else { throw typeError(key, value, expected: "a string") }
        return text
    }

    mutating func optionalString(_ key: String) throws(ChapterParseError) -> String? {
        guard take(key) != nil else { return nil }
        return try string(key)
    }

    /// A JSON number written as an integer (`-?[0-9]+`) that fits in `Int`.
    mutating func integer(_ key: String) throws(ChapterParseError) -> Int {
        let value = try required(key)
        guard case .number(let text) = value.kind else { throw typeError(key, value, expected: "an integer") }
        var digits = Substring(text)
        if digits.hasPrefix("-") { digits = digits.dropFirst() }
        guard digits.utf8.allSatisfy(DecimalText.isDigit) else {
            throw ChapterParseError(line: value.line, message: "\(context) \"\(key)\" must be an integer, not \(text)")
        }
        guard let integer = Int(text) else {
            throw ChapterParseError(line: value.line, message: "\(context) \"\(key)\" \(text) is out of range")
        }
        return integer
    }

    /// A JSON number of seconds, in milliseconds (read exactly, see ``JSONNumber``).
    mutating func milliseconds(_ key: String) throws(ChapterParseError) -> Int64 {
        let value = try required(key)
        guard case .number(let text) = value.kind else { throw typeError(key, value, expected: "a number") }
        guard let milliseconds = JSONNumber(text)?.scaled(by: 3) else {
            throw ChapterParseError(line: value.line, message: "\(context) \"\(key)\" \(text) is out of range")
        }
        return milliseconds
    }

    mutating func optionalMilliseconds(_ key: String) throws(ChapterParseError) -> Int64? {
        guard take(key) != nil else { return nil }
        return try milliseconds(key)
    }

    /// The elements of an array; empty when the key is absent.
    mutating func array(_ key: String) throws(ChapterParseError) -> [JSONValue] {
        guard let value = take(key) else { return [] }
        guard case .array(let elements) = value.kind else { throw typeError(key, value, expected: "an array") }
        return elements
    }

    mutating func metadataValue(_ key: String) throws(ChapterParseError) -> ChapterMetadataValue {
        let value = try required(key)
        switch value.kind {
        case .string(let text): return .string(text)
        case .number(let text): return .number(text)
        case .bool(let flag): return .bool(flag)
        default: throw typeError(key, value, expected: "a string, number or boolean")
        }
    }

    /// Throws for the first key no accessor took.
    func finish() throws(ChapterParseError) {
        if let unknown = members.first(where: { !taken.contains($0.key) }) {
            throw ChapterParseError(
                line: unknown.line, message: "\(context) has an unsupported key \(JSONWriter.quoted(unknown.key))")
        }
    }

    private mutating func take(_ key: String) -> JSONValue? {
        guard let member = members.first(where: { $0.key == key }) else { return nil }
        taken.insert(key)
        return member.value
    }

    private mutating func required(_ key: String) throws(ChapterParseError) -> JSONValue {
        guard let value = take(key) else {
            throw ChapterParseError(line: line, message: "\(context) has no \"\(key)\"")
        }
        return value
    }

    private func typeError(_ key: String, _ value: JSONValue, expected: String) -> ChapterParseError {
        ChapterParseError(line: value.line, message: "\(context) \"\(key)\" must be \(expected), not \(value.typeName)")
    }
}
