@testable import Cuepoint
import CuepointTime
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzMarkerBody)

/// The marker API's request bodies: `POST /v1/markers` (one marker object) and
/// `POST /v1/markers/ID/close` (`{"end": …}`, `{"duration": …}` or nothing).
///
/// Properties: no crash, leak or hang; an accepted marker, logged, folds back from the log
/// unchanged (the API acknowledges a marker only once its log line is durable).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkerBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput.text(data, size)
    if case .success(let marker) = MarkerRequestBody.marker(from: text) {
        let placed = PlacedMarker(marker: marker, startMilliseconds: 12_345, durationMilliseconds: nil)
        let record = MarkerLogRecord.add(placed, received: WallClockTime(millisecondsSince1970: 1_741_975_200_000))
        let folded = MarkerLogRecord.fold(record, source: "markers.jsonl")
        FuzzCheck.require(
            folded.problems.isEmpty && folded.markers == [placed],
            "accepted body logged as \(record) folds back to \(folded.markers) with \(folded.problems)")
    }
    _ = MarkerRequestBody.end(from: text, closing: "p-1")
    return 0
}
