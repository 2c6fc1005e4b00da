import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

/// Issue 16, defect 10: a 50 MB `name:` made `validate` print 100 MB (the value, and a "did
/// you mean" copy of it), and long paths were echoed whole. Every value a diagnostic repeats
/// is bounded now, and no suggestion is searched for a huge key.
@Suite(.ownThreads) struct EchoedTextTests {
    typealias Support = PipelineTestSupport

    @Test("short text is echoed whole; long text by its start (a value) or its end (a path), with its size")
    func bounds() {
        #expect(EchoedText.value("spring-sale") == "spring-sale")
        let long = String(repeating: "A", count: 1_000) + "Z"
        #expect(EchoedText.value(long) == String(repeating: "A", count: 80) + "… (1001 bytes)")
        #expect(
            EchoedText.value(String(repeating: "é", count: 81)) == String(repeating: "é", count: 80) + "… (162 bytes)")
        #expect(
            EchoedText.value(String(repeating: "é", count: 80)) == String(repeating: "é", count: 80), "80 characters")
        let path = "/" + String(repeating: "deep/", count: 100) + "spring.yaml"
        let shown = EchoedText.path(path)
        #expect(shown.hasPrefix("…") && shown.hasSuffix("/spring.yaml (512 bytes)"), "\(shown)")
        #expect(shown.count == 1 + 160 + " (512 bytes)".count)
        #expect(EchoedText.path("Pipelines/remux.yaml") == "Pipelines/remux.yaml")
    }

    /// Each kind of place a pipeline file's text reaches a message, with a value of 1 MB.
    @Test(arguments: [
        "name: NAME_TEXT\ninput: {url: a.mp4}\n",  // an invalid name (and no slug of it suggested)
        // Keys past 1024 characters need YAML's explicit form (`? KEY`); libyaml refuses them as
        // simple keys, with a short syntax error.
        "name: x\ninput: {url: a.mp4}\n? NAME_TEXT\n: 1\n",  // an unknown key
        "name: x\ninput: {url: a.mp4}\noutput: {container: NAME_TEXT}\n",  // a wrong choice
        "name: x\ninput: {url: 'NAME_TEXT://host/x'}\n",  // an unknown URL scheme
        "name: x\ninput:\n  url: a.mp4\n  options:\n    ? NAME_TEXT\n    :\n",  // an option without a value
        "name: x\ninput: {url: '${NAME_TEXT}'}\n",  // an undefined environment variable
        "name: x\ninput: {url: a.mp4}\nrenditions: [{name: NAME_TEXT, copy: true}]\n",  // a rendition name
        "name: x\ninput: {url: a.mp4}\nmarkers: {from: [{list: [{id: NAME_TEXT, title: t, url: 'https://a.b/c'}]}]}\n",
        "name: x\n? NAME_TEXT\n: 1\ninput: {url: a.mp4}\n? NAME_TEXT\n: 2\n",  // a duplicated key
    ])
    func hugeValuesGiveShortLines(template: String) throws {
        let huge = "Q" + String(repeating: "x", count: 1 << 20)
        let text = "version: 1\n" + template.replacingOccurrences(of: "NAME_TEXT", with: huge)
        let lines = Support.lines(text, environment: [:])
        try #require(!lines.isEmpty, "the file is refused")
        for line in lines {
            #expect(line.utf8.count < 1_000, "\(line.prefix(300))…")
        }
        #expect(lines.contains { $0.contains("(\(huge.utf8.count) bytes)") }, "the size is said: \(lines)")
    }

    @Test("a simple key past libyaml's 1024 characters is a short syntax error")
    func hugeSimpleKey() {
        let lines = Support.lines("version: 1\nname: x\n" + String(repeating: "k", count: 1 << 20) + ": 1\n")
        #expect(lines.count == 1 && lines[0].utf8.count < 300, "\(lines.map { $0.prefix(300) })")
    }

    @Test("no suggestion is searched for a word longer than any key")
    func noSuggestionForHugeWords() {
        #expect(KeySuggestion.closest(to: "sgement", among: ["segment"]) == "segment")
        #expect(KeySuggestion.closest(to: "segment" + String(repeating: "x", count: 100), among: ["segment"]) == nil)
    }

    @Test("the file's path in every line keeps its end")
    func longFilePath() {
        let problem = PipelineProblem(
            file: "/" + String(repeating: "folder/", count: 600) + "p.yaml", line: 3, column: 1, keyPath: "name",
            message: "required key is missing")
        #expect(problem.description.utf8.count < 300)
        #expect(problem.description.hasSuffix("folder/p.yaml (4207 bytes):3:1: name: required key is missing"))
    }
}
