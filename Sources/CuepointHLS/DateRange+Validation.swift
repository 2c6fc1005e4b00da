import CuepointTime

extension DateRange {
    /// Everything that would make this date range invalid in a playlist, as sentences; empty
    /// when it is valid. The parser rejects a DATERANGE for the first of these.
    ///
    /// Checks (RFC 8216 §4.3.2.7, bis §4.4.5.1):
    /// - ID and CLASS are non-empty quoted strings (no `"`, CR, LF or control characters);
    /// - END-ON-NEXT has a CLASS and neither DURATION nor END-DATE;
    /// - END-DATE is not before START-DATE, and equals START-DATE + DURATION when both are set;
    /// - DURATION and PLANNED-DURATION are not negative;
    /// - client attribute names are `X-` plus `[A-Z0-9-]`, each used once, and their values can
    ///   be written (see `AttributeValue`).
    public func validationProblems() -> [String] {
        var problems: [String] = []
        if id.isEmpty { problems.append("ID is empty") }
        if let problem = QuotedString.problem(id) { problems.append("ID \(problem)") }
        if let classAttribute {
            if classAttribute.isEmpty { problems.append("CLASS is empty") }
            if let problem = QuotedString.problem(classAttribute) { problems.append("CLASS \(problem)") }
        }
        if endOnNext {
            if classAttribute == nil { problems.append("END-ON-NEXT needs a CLASS") }
            if durationMilliseconds != nil { problems.append("END-ON-NEXT forbids DURATION") }
            if endDate != nil { problems.append("END-ON-NEXT forbids END-DATE") }
        }
        if let durationMilliseconds, durationMilliseconds < 0 {
            problems.append("DURATION is negative")
        }
        if let plannedDurationMilliseconds, plannedDurationMilliseconds < 0 {
            problems.append("PLANNED-DURATION is negative")
        }
        if let endDate {
            if endDate < startDate {
                problems.append("END-DATE \(endDate.iso8601) is before START-DATE \(startDate.iso8601)")
            }
            if let durationMilliseconds {
                let expected = WallClockTime(millisecondsSince1970: startDate.millisecondsSince1970 + durationMilliseconds)
                if endDate != expected {
                    problems.append(
                        "END-DATE \(endDate.iso8601) is not START-DATE + DURATION (\(expected.iso8601))")
                }
            }
        }
        var names: Set<String> = []
        for attribute in clientAttributes {
            let name = attribute.name
            if !name.hasPrefix("X-") || name.utf8.count < 3 || !name.utf8.allSatisfy(AttributeList.isNameByte) {
                problems.append("client attribute name \"\(name)\" must be X- followed by A-Z, 0-9 and -")
            }
            if !names.insert(name).inserted { problems.append("client attribute \(name) appears twice") }
            if let problem = attribute.value.problem { problems.append("client attribute \(name) \(problem)") }
        }
        return problems
    }
}
