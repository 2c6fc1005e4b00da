import Cuepoint
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzPipelineFile)

/// The pipeline-file decoder (`cuepoint validate`, `cuepoint run`): YAML, and JSON, which is read
/// as YAML by the same decoder. The seeds are `Pipelines/` (both forms) and the error cases of
/// the tests.
///
/// Properties: no crash, no leak, no hang; a refusal's every line stays short (issue 16, defect
/// 10: a value is echoed by its start and size, never whole).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipelineFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    let environment = ["CUEPOINT_TOKEN": "s3cret", "SHOW": "spring-sale", "EMPTY": ""]
    do {
        let spec = try PipelineFile.decode(text, fileName: "fuzz.yaml", environment: environment)
        _ = spec.recordingDirectory
    } catch {
        for problem in error.problems {
            let line = problem.description
            FuzzCheck.require(
                line.utf8.count <= ProblemLine.maximumBytes,
                "a problem line of \(line.utf8.count) bytes: \(line.prefix(300))…")
        }
    }
    return 0
}

/// The longest a problem line may be: the file name, a bounded key path (400 characters), a
/// bounded message (2,000) and a bounded suggestion, in UTF-8 (up to 4 bytes a character).
/// (A static, set on first use: a global of this main file would be set by top-level code after
/// `FuzzDriver.run`, which never returns.)
enum ProblemLine {
    static let maximumBytes = 4 * (160 + 400 + 2_000 + 80) + 64
}
