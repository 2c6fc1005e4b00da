import Foundation

/// The text written on a short or a poster: a title wrapped to fit, and a price formatted for
/// its currency. Pure functions, no font at hand: widths are estimated.
///
/// ## Wrapping without the font
///
/// libavfilter's `drawtext` draws one line where it is told and does not wrap. The title is
/// therefore broken into lines here, by estimated width: each character counts a share of the
/// font size (a space 0.35, an uppercase letter or digit 0.72, other letters and marks 0.62, a
/// wide East Asian character 1.0), slightly more than DejaVu Sans Bold's real advances, so a
/// line estimated to fit does fit. Lines break between words; a word longer than a line, or
/// text without spaces (Chinese, Japanese), breaks between characters. What does not fit in
/// ``maximumLines`` ends with `…`.
///
/// Emoji are left out: Debian's fonts have no colour emoji, and `drawtext` would draw empty
/// boxes. Lines keep their logical order; `drawtext` (built with libfribidi on Debian) reorders
/// right-to-left text and joins Arabic letters when it draws each line.
enum ShortText {
    /// The most lines a title takes.
    static let maximumLines = 2

    /// A title laid out in lines.
    struct Layout: Equatable {
        var lines: [String]
        /// Whether the title was cut (it ends with `…`).
        var wasCut: Bool
        /// Whether emoji were left out.
        var droppedEmoji: Bool
    }

    /// Breaks `title` into at most `maximumLines` lines of at most `width` pixels at `fontSize`.
    static func layout(_ title: String, width: Int, fontSize: Int, maximumLines: Int = maximumLines) -> Layout {
        let (clean, dropped) = withoutEmoji(title)
        let limit = Double(width) / Double(max(1, fontSize))
        var lines: [String] = []
        var current = ""
        var currentWidth = 0.0
        var wasCut = false
        // Words keep the space before them; a line never starts with a space.
        for word in words(of: clean) {
            let wordWidth = estimatedWidth(word)
            if currentWidth + wordWidth <= limit {
                current += word
                currentWidth += wordWidth
                continue
            }
            let trimmed = String(word.drop { $0 == " " })
            if !current.isEmpty {
                lines.append(current)
                current = ""
                currentWidth = 0
            }
            // A word longer than a line is broken between characters.
            for character in trimmed {
                let characterWidth = estimatedWidth(String(character))
                if currentWidth + characterWidth > limit, !current.isEmpty {
                    lines.append(current)
                    current = ""
                    currentWidth = 0
                }
                current.append(character)
                currentWidth += characterWidth
            }
        }
        if !current.isEmpty { lines.append(current) }
        if lines.count > maximumLines {
            wasCut = true
            lines = Array(lines.prefix(maximumLines))
            var last = lines[maximumLines - 1]
            let ellipsis = "…"
            while !last.isEmpty, estimatedWidth(last + ellipsis) > limit { last.removeLast() }
            while last.last == " " { last.removeLast() }
            lines[maximumLines - 1] = last + ellipsis
        }
        return Layout(lines: lines.map { $0.trimmingCharacters(in: .whitespaces) }, wasCut: wasCut, droppedEmoji: dropped)
    }

    /// The words of `text`, each with the spaces before it; a run of wide East Asian characters
    /// is one word per character.
    private static func words(of text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text {
            if character == " " {
                if !current.isEmpty, current.last != " " {
                    words.append(current)
                    current = ""
                }
                current.append(character)
            } else if isWide(character) {
                if !current.isEmpty { words.append(current) }
                words.append(String(character))
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The estimated width of `text` in units of the font size (see the type's description).
    static func estimatedWidth(_ text: String) -> Double {
        text.reduce(0) { sum, character in
            if character == " " { return sum + 0.35 }
            if isWide(character) { return sum + 1.0 }
            if character.isUppercase || character.isNumber { return sum + 0.72 }
            return sum + 0.62
        }
    }

    /// Whether a character takes a full em: CJK ideographs, kana, Hangul, full-width forms.
    private static func isWide(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x2FFFD:
            return true
        default:
            return false
        }
    }

    /// `text` without emoji (pictographs, their modifiers, variation selectors and joiners), with
    /// the spaces they leave collapsed; and whether any were there.
    static func withoutEmoji(_ text: String) -> (String, Bool) {
        var result = ""
        var dropped = false
        for character in text {
            let isEmoji = character.unicodeScalars.contains { scalar in
                scalar.properties.isEmojiPresentation
                    || (scalar.properties.isEmoji && scalar.value > 0x2000 && !(0x2100...0x214F).contains(scalar.value))
            }
            if isEmoji {
                dropped = true
            } else {
                result.append(character)
            }
        }
        guard dropped else { return (text, false) }
        let collapsed = result.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return (collapsed, true)
    }

    /// The price as a shop writes it in `language`: `$89.00`, `29,00 €` (fr), `₪149.90`; nil
    /// without a price. Without a currency the number alone, in the language's digits and
    /// separators.
    static func price(_ price: String?, currency: String?, language: String) -> String? {
        guard let price, let value = Decimal(string: price, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: language)
        if let currency {
            formatter.numberStyle = .currency
            formatter.currencyCode = currency
        } else {
            formatter.numberStyle = .decimal
            formatter.minimumFractionDigits = 0
            formatter.maximumFractionDigits = 4
        }
        return formatter.string(from: value as NSDecimalNumber)
    }
}
