import CuepointHLS
import FuzzSupport

/// The WebVTT chapters reader (`chapters.vtt` of a replay).
///
/// Properties: no crash, leak or hang; accepted chapters render to text that reads back to the
/// same chapters.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebVTTChapters(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    guard let chapters = try? WebVTTChapters.parse(text) else { return 0 }
    let rendered = chapters.render()
    do {
        let again = try WebVTTChapters.parse(rendered)
        FuzzCheck.require(again == chapters, "the rendered chapters read as other chapters:\n\(rendered)")
    } catch {
        FuzzCheck.require(false, "the rendered chapters do not parse (\(error)):\n\(rendered)")
    }
    return 0
}
