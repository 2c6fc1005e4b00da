import CuepointHLS
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzWebVTTChapters)

/// The WebVTT chapters reader (`chapters.vtt` of a replay).
///
/// Properties: no crash, leak or hang; accepted chapters render to text that reads back to the
/// same cues (times, identifiers and text as `render()` cleaned them: a multi-line title
/// becomes one line), so rendering what was read back gives the same text again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebVTTChapters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    guard let chapters = try? WebVTTChapters.parse(text) else { return 0 }
    let rendered = chapters.render()
    do {
        let again = try WebVTTChapters.parse(rendered)
        FuzzCheck.require(
            again.cues.map { [$0.startMilliseconds, $0.endMilliseconds] } == chapters.cues.map { [$0.startMilliseconds, $0.endMilliseconds] },
            "the rendered chapters read back with other times:\n\(rendered)")
        FuzzCheck.require(again.render() == rendered, "the rendered chapters read as other chapters:\n\(rendered)")
    } catch {
        FuzzCheck.require(false, "the rendered chapters do not parse (\(error)):\n\(rendered)")
    }
    return 0
}
