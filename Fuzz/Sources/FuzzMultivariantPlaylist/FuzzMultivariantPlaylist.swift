import CuepointHLS
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzMultivariantPlaylist)

/// The strict multivariant-playlist parser (`master.m3u8`: the replay and resume read it).
///
/// Properties: no crash, leak or hang; an accepted playlist renders to text that parses back to
/// the same value and renders to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultivariantPlaylist(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    guard let playlist = try? MultivariantPlaylist(parsing: text) else { return 0 }
    let rendered = playlist.render()
    do {
        let again = try MultivariantPlaylist(parsing: rendered)
        FuzzCheck.require(again == playlist, "the rendered playlist parses to another value:\n\(rendered)")
        FuzzCheck.require(again.render() == rendered, "rendering is not stable:\n\(rendered)")
    } catch {
        FuzzCheck.require(false, "the rendered playlist does not parse (\(error)):\n\(rendered)")
    }
    return 0
}
