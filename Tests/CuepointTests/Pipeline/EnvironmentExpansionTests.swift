import CuepointTestSupport
import Testing

@testable import Cuepoint

/// The `${NAME}` grammar on its own, as a table of input, environment and result.
@Suite(.ownThreads) struct EnvironmentExpansionTests {
    typealias Failure = EnvironmentExpansion.Failure

    @Test(
        arguments: [
            ("plain text", [:], "plain text", []),
            ("${A}", ["A": "x"], "x", []),
            ("pre-${A}-post", ["A": "x"], "pre-x-post", []),
            ("${A}${B}", ["A": "1", "B": "2"], "12", []),
            ("${A:-fallback}", [:], "fallback", []),
            ("${A:-fallback}", ["A": ""], "fallback", []),
            ("${A:-fallback}", ["A": "set"], "set", []),
            ("${A}", ["A": ""], "", []),
            ("${A:-}", [:], "", []),
            ("${A:-a:-b}", [:], "a:-b", []),
            ("$HOME and $ alone", ["HOME": "/root"], "$HOME and $ alone", []),
            ("cost: 5$", [:], "cost: 5$", []),
            ("$${A}", ["A": "x"], "${A}", []),
            ("$$", [:], "$$", []),
            ("${MISSING}", [:], "", [.undefined(name: "MISSING")]),
            ("a${X}b${Y}c", [:], "abc", [.undefined(name: "X"), .undefined(name: "Y")]),
            ("${1ABC}", [:], "", [.invalidName("1ABC")]),
            ("${}", [:], "", [.invalidName("")]),
            ("${A B}", [:], "", [.invalidName("A B")]),
            ("x${A", ["A": "1"], "x", [.unterminated]),
            ("${_UNDER_score9}", ["_UNDER_score9": "ok"], "ok", []),
        ] as [(String, [String: String], String, [Failure])])
    func expands(text: String, environment: [String: String], expected: String, failures: [Failure]) {
        let result = EnvironmentExpansion.expand(text, environment: environment)
        #expect(result.text == expected)
        #expect(result.failures == failures)
    }
}
