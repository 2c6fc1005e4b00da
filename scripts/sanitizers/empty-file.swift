// LeakSanitizer control (run by leak-controls.sh with an empty file): an empty file read with Foundation (Data(contentsOf:) and
// FileManager.contents(atPath:)), the bytes dropped. Correct code.
import Foundation
let path = CommandLine.arguments[1]
var total = 0
for _ in 0..<3 { total += try! Data(contentsOf: URL(fileURLWithPath: path)).count }
total += FileManager.default.contents(atPath: path)?.count ?? 0
print(total)
