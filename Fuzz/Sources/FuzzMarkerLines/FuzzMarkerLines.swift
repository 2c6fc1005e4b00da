@testable import Cuepoint
import CuepointTime
import Foundation
import FuzzSupport

// libFuzzer takes over here and calls the function below for each input (FuzzDriver).
FuzzDriver.run(fuzzMarkerLines)

/// Marker JSON lines: a marker file (`--markers`, `markers.from[].file`) as `MarkerFile.load`
/// reads it, and the recording's own `markers.jsonl` as a restarted job folds it back.
///
/// Properties: no crash, leak or hang; every marker a file yields, once placed and logged
/// (`MarkerLogRecord.add`), folds back from the log to the same placed marker, so what the
/// marker API acknowledged survives a restart unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkerLines(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput.bytes(data, size)
    let (text, _) = MarkerFile.decodeLines(Data(bytes), source: "fuzz.jsonl")
    let received = WallClockTime(millisecondsSince1970: 1_741_975_200_000)
    for allowNow in [false, true] {
        let parsed = MarkerFile.parse(text, source: "fuzz.jsonl", allowNow: allowNow)
        for (line, marker) in parsed.markers {
            let duration: Int64? = line % 2 == 0 ? nil : 4_500
            let placed = PlacedMarker(marker: marker, startMilliseconds: Int64(line) * 1_001, durationMilliseconds: duration)
            let record = MarkerLogRecord.add(placed, received: received)
            let folded = MarkerLogRecord.fold(record + "\n", source: "markers.jsonl")
            FuzzCheck.require(
                folded.problems.isEmpty && folded.markers == [placed],
                "line \(line) logged as \(record) folds back to \(folded.markers) with \(folded.problems)")
        }
    }
    _ = MarkerLogRecord.fold(text, source: "markers.jsonl")
    return 0
}
