import CuepointHLS
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzEventMessage)

/// The `emsg` box reader (marker events in fMP4 segments).
///
/// Properties: no crash, leak or hang; a box it reads, written again by `encoded()`, reads back
/// to the same value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventMessage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    guard let box = EventMessageBox(parsing: bytes), let encoded = try? box.encoded() else { return 0 }
    let again = EventMessageBox(parsing: encoded)
    FuzzCheck.require(again == box, "a box read and written again reads as \(String(describing: again)), not \(box)")
    return 0
}
