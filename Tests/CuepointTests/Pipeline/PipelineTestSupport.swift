import CuepointTestSupport
import Foundation
import Testing

@testable import Cuepoint

/// Shared helpers for the pipeline-file tests.
enum PipelineTestSupport {
    /// `Pipelines/` in the repository.
    static var pipelinesDirectory: URL { Repository.root.appendingPathComponent("Pipelines") }

    /// The environment the shipped examples need.
    static let exampleEnvironment = ["CUEPOINT_STREAM_KEY": "spring"]

    /// Decodes `text` as `p.yaml`; the spec, or nil when there were problems.
    static func decode(_ text: String, environment: [String: String] = [:]) -> PipelineSpec? {
        try? PipelineFile.decode(text, fileName: "p.yaml", environment: environment)
    }

    /// The problems decoding `text` as `p.yaml` reports; empty when it decodes.
    static func problems(_ text: String, environment: [String: String] = [:]) -> [PipelineProblem] {
        do {
            _ = try PipelineFile.decode(text, fileName: "p.yaml", environment: environment)
            return []
        } catch {
            return error.problems
        }
    }

    /// The problems as `cuepoint validate` prints them, one per element.
    static func lines(_ text: String, environment: [String: String] = [:]) -> [String] {
        problems(text, environment: environment).map(\.description)
    }
}
