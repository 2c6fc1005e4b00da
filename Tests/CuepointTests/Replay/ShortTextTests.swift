import CuepointTestSupport
import Testing

@testable import Cuepoint

@Suite(.ownThreads) struct ShortTextTests {
    @Test func aTitleThatFitsStaysOnOneLine() {
        let layout = ShortText.layout("Smoked Paprika, 100 g", width: 950, fontSize: 59)
        #expect(layout == ShortText.Layout(lines: ["Smoked Paprika, 100 g"], wasCut: false, droppedEmoji: false))
    }

    @Test func aLongerTitleWrapsBetweenWords() {
        let layout = ShortText.layout("Chef's Knife 8\" — Forged Steel", width: 316, fontSize: 19)
        #expect(layout.lines == ["Chef's Knife 8\" — Forged", "Steel"])
        #expect(!layout.wasCut)
        for line in layout.lines { #expect(ShortText.estimatedWidth(line) * 19 <= 316) }
    }

    @Test func aTitleTooLongIsCutWithAnEllipsis() {
        let title = String(repeating: "Extraordinary kitchen gadget ", count: 7) + "end"
        let layout = ShortText.layout(title, width: 950, fontSize: 59)
        #expect(layout.wasCut)
        #expect(layout.lines.count == 2)
        #expect(layout.lines[1].hasSuffix("…"))
        for line in layout.lines { #expect(ShortText.estimatedWidth(line) * 59 <= 950, "\(line)") }
        #expect(title.hasPrefix(layout.lines[0]))
    }

    @Test func aWordLongerThanALineBreaksBetweenCharacters() {
        let layout = ShortText.layout(String(repeating: "x", count: 60), width: 300, fontSize: 30)
        #expect(layout.lines.count == 2 && layout.wasCut)
        #expect(layout.lines[0] == String(repeating: "x", count: 16))
    }

    @Test func textWithoutSpacesBreaksBetweenCharacters() {
        let layout = ShortText.layout("厨师刀锻钢八英寸特价", width: 200, fontSize: 40)
        #expect(layout.lines == ["厨师刀锻钢", "八英寸特价"])
    }

    @Test func rightToLeftTitlesKeepTheirLogicalOrder() {
        let layout = ShortText.layout("קרש חיתוך מעץ אלון", width: 950, fontSize: 59)
        #expect(layout.lines == ["קרש חיתוך מעץ אלון"], "drawtext reorders each line when it draws it")
    }

    @Test func emojiAreLeftOut() {
        let layout = ShortText.layout("Linen Apron 👩‍🍳 for Home Cooks ✨", width: 2000, fontSize: 59)
        #expect(layout.lines == ["Linen Apron for Home Cooks"])
        #expect(layout.droppedEmoji)
        #expect(ShortText.withoutEmoji("8\" #1 © 100 °C ™") == ("8\" #1 © 100 °C ™", false))
    }

    @Test(arguments: [
        ("89.0", "USD", "en", "$89.00"), ("149.9", "ILS", "en", "₪149.90"), ("29", "EUR", "en", "€29.00"),
        ("19.99", "GBP", "en", "£19.99"), ("29", "EUR", "fr", "29,00 €"), ("1234.5", nil, "en", "1,234.5"),
    ] as [(String, String?, String, String)])
    func pricesAreFormattedForTheirCurrency(price: String, currency: String?, language: String, expected: String) {
        let text = ShortText.price(price, currency: currency, language: language)
        // Foundation may use a narrow no-break space before the euro sign in French.
        #expect(text?.replacing("\u{202F}", with: " ").replacing("\u{A0}", with: " ") == expected)
    }

    @Test func noPriceNoText() {
        #expect(ShortText.price(nil, currency: "USD", language: "en") == nil)
    }
}
