/// Readers and the writer for the attributes EXT-X-STREAM-INF and EXT-X-I-FRAME-STREAM-INF
/// share, so both tags accept and reject the same text with the same messages (naming the tag
/// being read) and write them alike.
extension AttributeList {
    /// Appends BANDWIDTH, then AVERAGE-BANDWIDTH, CODECS and RESOLUTION when present.
    mutating func appendStreamAttributes(
        bandwidth: Int, averageBandwidth: Int?, codecs: [String], resolution: Resolution?
    ) {
        append("BANDWIDTH", plain: String(bandwidth))
        if let averageBandwidth { append("AVERAGE-BANDWIDTH", plain: String(averageBandwidth)) }
        if !codecs.isEmpty { append("CODECS", quoted: codecs.joined(separator: ",")) }
        if let resolution { append("RESOLUTION", plain: resolution.text) }
    }

    /// A bit-rate attribute (BANDWIDTH, AVERAGE-BANDWIDTH), in bits per second.
    ///
    /// - Throws: when it is quoted, not a decimal integer, or does not fit in `Int`.
    mutating func bitRate(_ name: String) throws(PlaylistParseError) -> Int? {
        guard let value = try decimalInteger(name) else { return nil }
        guard let small = Int(exactly: value) else { throw error("\(tag) attribute \(name) is too large") }
        return small
    }

    /// The CODECS attribute split at commas; empty when absent.
    ///
    /// - Throws: when it is not quoted, or has an empty entry or whitespace.
    mutating func codecs() throws(PlaylistParseError) -> [String] {
        guard let text = try quotedString("CODECS") else { return [] }
        var codecs: [String] = []
        for entry in text.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false) {
            guard !entry.isEmpty, !entry.contains(where: \.properties.isWhitespace) else {
                throw error("\(tag) attribute CODECS has an empty entry or whitespace: \(text)")
            }
            codecs.append(String(String.UnicodeScalarView(entry)))
        }
        return codecs
    }

    /// The RESOLUTION attribute.
    ///
    /// - Throws: when it is quoted or not `<width>x<height>`.
    mutating func resolution() throws(PlaylistParseError) -> Resolution? {
        guard let text = try plain("RESOLUTION") else { return nil }
        guard let size = Resolution(text: Substring(text)) else {
            throw error("\(tag) attribute RESOLUTION is not <width>x<height>: \(text)")
        }
        return size
    }
}
