import CuepointHLS
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzChapterDocument)

/// The Apple JSON chapters reader (`chapters.json` of a replay).
///
/// Properties: no crash, leak or hang; an accepted document, encoded, reads back the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChapterDocument(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    guard let document = try? ChapterDocument.parse(text) else { return 0 }
    let encoded = document.encoded()
    do {
        let again = try ChapterDocument.parse(encoded)
        FuzzCheck.require(again == document, "the encoded document reads as another:\n\(encoded)")
    } catch {
        FuzzCheck.require(false, "the encoded document does not parse (\(error)):\n\(encoded)")
    }
    return 0
}
