import CuepointHLS
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzMediaPlaylist)

/// The strict media-playlist parser: what resume reads back from a crashed recording, what the
/// replay reads, and what the tests judge with.
///
/// Properties: no crash, leak or hang; a playlist it accepts renders to text that parses back
/// to the same value and renders to the same bytes (the parser's documented round trip).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMediaPlaylist(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    guard let playlist = try? MediaPlaylist(parsing: text) else { return 0 }
    let rendered = playlist.render()
    do {
        let again = try MediaPlaylist(parsing: rendered)
        FuzzCheck.require(again == playlist, "the rendered playlist parses to another value:\n\(rendered)")
        FuzzCheck.require(again.render() == rendered, "rendering is not stable:\n\(rendered)")
    } catch {
        FuzzCheck.require(false, "the rendered playlist does not parse (\(error)):\n\(rendered)")
    }
    return 0
}
