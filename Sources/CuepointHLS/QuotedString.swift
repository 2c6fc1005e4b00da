/// The rules of the quoted-string attribute type: no `"`, CR or LF, and no escape mechanism.
enum QuotedString {
    /// Why the text cannot be written between double quotes, or nil when it can.
    static func problem(_ text: String) -> String? {
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": return "contains a double quote, which quoted strings cannot escape"
            case "\r", "\n": return "contains a line break"
            default:
                if PlaylistText.isForbiddenControl(scalar) {
                    return "contains the control character U+\(PlaylistText.hex4(scalar))"
                }
            }
        }
        return nil
    }
}
