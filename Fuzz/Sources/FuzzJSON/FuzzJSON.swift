import CuepointJSON
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzJSON)

/// The strict JSON reader every document goes through (markers, chapters, `recording.json`).
///
/// Properties: no crash, leak or hang (deep nesting is refused, not recursed into); a value it
/// reads, written compact or pretty, reads back equal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    guard let value = try? JSONParser.parse(text) else { return 0 }
    for written in [JSONWriter.compact(value), JSONWriter.prettyPrinted(value)] {
        do {
            let again = try JSONParser.parse(written)
            FuzzCheck.require(again == value, "written as \(written), it reads back as \(again)")
        } catch {
            FuzzCheck.require(false, "written as \(written), it does not read back: \(error)")
        }
    }
    return 0
}
