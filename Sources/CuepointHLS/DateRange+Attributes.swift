import CuepointTime

extension DateRange {
    /// The attribute list written after `#EXT-X-DATERANGE:`.
    var attributeList: AttributeList {
        var list = AttributeList()
        list.append("ID", quoted: id)
        if let classAttribute { list.append("CLASS", quoted: classAttribute) }
        list.append("START-DATE", quoted: startDate.iso8601)
        if let endDate { list.append("END-DATE", quoted: endDate.iso8601) }
        if let durationMilliseconds { list.append("DURATION", plain: SecondsText.fixed(milliseconds: durationMilliseconds)) }
        if let plannedDurationMilliseconds {
            list.append("PLANNED-DURATION", plain: SecondsText.fixed(milliseconds: plannedDurationMilliseconds))
        }
        if endOnNext { list.append("END-ON-NEXT", plain: "YES") }
        for attribute in clientAttributes {
            switch attribute.value {
            case .string(let text): list.append(attribute.name, quoted: text)
            case .hexadecimal, .number: list.append(attribute.name, plain: attribute.value.attributeText)
            }
        }
        return list
    }

    /// Reads a date range from the attributes of an EXT-X-DATERANGE tag and validates it.
    ///
    /// - Throws: `PlaylistParseError` on the list's line for a missing ID or START-DATE, a date
    ///   that is not ISO 8601 with a time zone, a malformed number, END-ON-NEXT other than YES,
    ///   an attribute this model does not hold (SCTE35-*, CUE, names without `X-`), or the first
    ///   of `validationProblems()`.
    init(attributes list: inout AttributeList) throws(PlaylistParseError) {
        let id = try list.requiredQuotedString("ID")
        let classAttribute = try list.quotedString("CLASS")
        let startDate = try DateRange.date("START-DATE", in: &list)
        guard let startDate else { throw list.error("EXT-X-DATERANGE needs the START-DATE attribute") }
        let endDate = try DateRange.date("END-DATE", in: &list)
        let duration = try list.thousandths("DURATION")
        let plannedDuration = try list.thousandths("PLANNED-DURATION")
        var endOnNext = false
        if let text = try list.plain("END-ON-NEXT") {
            guard text == "YES" else {
                throw list.error("EXT-X-DATERANGE attribute END-ON-NEXT must be YES, not \(text)")
            }
            endOnNext = true
        }
        var clientAttributes: [ClientAttribute] = []
        for attribute in list.takeRemaining() {
            guard attribute.name.hasPrefix("X-") else {
                throw list.error("EXT-X-DATERANGE has an unsupported attribute \(attribute.name)")
            }
            clientAttributes.append(
                ClientAttribute(name: attribute.name, value: try DateRange.clientValue(attribute, list)))
        }
        self.init(
            id: id, classAttribute: classAttribute, startDate: startDate, endDate: endDate,
            durationMilliseconds: duration, plannedDurationMilliseconds: plannedDuration, endOnNext: endOnNext,
            clientAttributes: clientAttributes)
        if let problem = validationProblems().first {
            throw list.error("EXT-X-DATERANGE \(problem)")
        }
    }

    private static func date(_ name: String, in list: inout AttributeList) throws(PlaylistParseError) -> WallClockTime?
    {
        guard let text = try list.quotedString(name) else { return nil }
        guard let date = WallClockTime(iso8601: text) else {
            throw list.error("EXT-X-DATERANGE attribute \(name) is not an ISO 8601 date with a time zone: \(text)")
        }
        return date
    }

    private static func clientValue(_ attribute: AttributeList.Attribute, _ list: AttributeList)
        throws(PlaylistParseError) -> AttributeValue
    {
        switch attribute.value {
        case .quoted(let text):
            return .string(text)
        case .plain(let text):
            if text.hasPrefix("0x") || text.hasPrefix("0X") {
                guard let bytes = HexText.bytes(fromUppercase: text.dropFirst(2)), !bytes.isEmpty else {
                    throw list.error(
                        "EXT-X-DATERANGE attribute \(attribute.name) is not a hexadecimal sequence "
                            + "of whole bytes in 0-9 A-F: \(text)")
                }
                return .hexadecimal(bytes)
            }
            guard DecimalText.isSignedDecimal(text) else {
                throw list.error("EXT-X-DATERANGE attribute \(attribute.name) is not a decimal number: \(text)")
            }
            return .number(text)
        }
    }
}
