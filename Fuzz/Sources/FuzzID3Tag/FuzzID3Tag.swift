import CuepointHLS
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzID3Tag)

/// The ID3v2.4 reader (timed-ID3 marker tags in TS segments, and tags other writers made).
///
/// Properties: no crash, leak or hang; a tag it reads, written again by `encoded()`, reads back
/// to the same frames.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzID3Tag(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    guard let tag = ID3Tag(parsing: bytes), let encoded = try? tag.encoded() else { return 0 }
    let again = ID3Tag(parsing: encoded)
    FuzzCheck.require(again == tag, "a tag read and written again reads as \(String(describing: again)), not \(tag)")
    return 0
}
