import CuepointTestSupport
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// The pipeline file and the error line shown in README.md are real.
@Suite(.ownThreads) struct ReadmeExampleTests {
    func readmeYAMLBlock() throws -> String {
        let readme = try String(
            contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```yaml\n"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        return String(readme[start.upperBound..<end.lowerBound])
    }

    @Test func theReadmePipelineDecodes() throws {
        let spec = try PipelineFile.decode(try readmeYAMLBlock(), fileName: "README.md", environment: [:])
        #expect(spec.name == "spring-sale")
        #expect(spec.output.container == .fmp4)
        #expect(spec.output.segmentDuration.milliseconds == 6000)
        #expect(spec.renditions == [RenditionSpec(name: "source", copy: true)])
    }

    @Test func theReadmeErrorLineIsWhatTheDecoderPrints() throws {
        let misspelt = try readmeYAMLBlock().replacingOccurrences(of: "  segment:", with: "  sgement:")
        let readme = try String(
            contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect {
            _ = try PipelineFile.decode(misspelt, fileName: "spring.yaml", environment: [:])
        } throws: { error in
            guard let error = error as? PipelineFileError, let problem = error.problems.first else { return false }
            return error.problems.count == 1 && readme.contains("\n\(problem.description)\n")
        }
    }

    @Test func theReadmeMarkerLineDecodes() throws {
        let readme = try String(
            contentsOf: Repository.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```json\n"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let parsed = MarkerFile.parse(String(readme[start.upperBound..<end.lowerBound]), source: "README.md")
        #expect(parsed.problems.isEmpty, "\(parsed.problems)")
        let marker = try #require(parsed.markers.first?.marker)
        #expect(marker.id == "p-0001")
        #expect(marker.title == "Chef's Knife 8\"")
        #expect(marker.start == .offset(milliseconds: 1500))
        #expect(marker.end == .duration(milliseconds: 4000))
    }
}
