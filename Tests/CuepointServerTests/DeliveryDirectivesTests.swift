import CuepointTestSupport
import Cuepoint
import Testing

@testable import CuepointServer

/// A playlist request's query read as LL-HLS delivery directives (bis §6.2.5).
@Suite(.ownThreads) struct DeliveryDirectivesTests {
    @Test func directivesAreReadStrictly() throws {
        #expect(
            try DeliveryDirectives(query: [("_HLS_msn", "7"), ("_HLS_part", "2")])
                == DeliveryDirectives(sequence: 7, part: 2))
        #expect(try DeliveryDirectives(query: [("_HLS_skip", "v2"), ("other", "x")]).skip == .segmentsAndDateRanges)
        #expect(throws: DirectiveError("_HLS_part needs _HLS_msn (RFC 8216bis §6.2.5.2)")) {
            try DeliveryDirectives(query: [("_HLS_part", "1")])
        }
        #expect(throws: DirectiveError("_HLS_msn: expected a decimal integer, got \"-1\"")) {
            try DeliveryDirectives(query: [("_HLS_msn", "-1")])
        }
        #expect(throws: DirectiveError("_HLS_skip: expected YES or v2, got \"yes\"")) {
            try DeliveryDirectives(query: [("_HLS_skip", "yes")])
        }
    }
}
