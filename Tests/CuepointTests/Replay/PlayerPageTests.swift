import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

/// The player page's markup; what it does in a browser is checked in real Chromium by the replay
/// integration tests (`Tests/Support/player_check.py`).
@Suite(.ownThreads) struct PlayerPageTests {
    @Test func everyValueIsEscaped() {
        let html = PlayerPage.html(
            PlayerPage.Configuration(
                title: "<script>alert(1)</script> & \"quotes\" 'too'", language: "he\"x",
                captions: [PlayerPage.Caption(language: "en", name: "<b>English</b>", url: "captions/en.vtt\"onload=\"x")]))
        #expect(!html.contains("<script>alert(1)"))
        #expect(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;</title>"))
        #expect(html.contains(#"<html lang="he&quot;x">"#))
        #expect(html.contains(#"src="captions/en.vtt&quot;onload=&quot;x""#))
        #expect(html.contains(#"label="&lt;b&gt;English&lt;/b&gt;""#))
        #expect(html.components(separatedBy: "<script").count == 2, "only the page's own script")
    }

    @Test func thePageUsesThePackagesFilesByRelativeURL() {
        let html = PlayerPage.html(
            PlayerPage.Configuration(
                title: "spring-sale", language: "en", hasMP4: true,
                captions: [PlayerPage.Caption(language: "fr", name: "Français", url: "captions/fr.vtt")], storyboard: true))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(#"<track kind="chapters" src="chapters.vtt" srclang="en" label="Chapters">"#))
        #expect(html.contains(#"<track kind="metadata" src="products.vtt" label="Products" id="products-track">"#))
        #expect(html.contains(#"<track kind="metadata" src="storyboard.vtt" label="Storyboard" id="storyboard-track">"#))
        #expect(html.contains(#"<track kind="subtitles" src="captions/fr.vtt" srclang="fr" label="Français">"#))
        #expect(html.contains(#"<body data-has-mp4="true">"#))
        #expect(html.contains(#""master.m3u8""#) && html.contains(#""replay.mp4""#))
        // No external assets, no absolute paths: the package works from any base URL.
        #expect(!html.contains("://"))
        #expect(!html.contains(#"src="/"#) && !html.contains(#"href="/"#))
    }

    @Test func withoutAStoryboardOrMP4ThePageSaysSo() {
        let html = PlayerPage.html(PlayerPage.Configuration(title: "x", hasMP4: false, storyboard: false))
        #expect(!html.contains("storyboard.vtt"))
        #expect(html.contains(#"<body data-has-mp4="false">"#))
    }

    /// Text from the package reaches the page as text: the script never parses data as HTML.
    @Test func theScriptBuildsTheDOMWithTextOnly() {
        for unsafe in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
            #expect(!PlayerPage.script.contains(unsafe), "\(unsafe)")
        }
        #expect(PlayerPage.script.contains("textContent"))
        #expect(PlayerPage.script.contains("Intl.NumberFormat"))
        #expect(PlayerPage.script.contains("X-COM-CUEPOINT-CARD"))
    }
}
