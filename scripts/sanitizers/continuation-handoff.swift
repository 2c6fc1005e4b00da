// ThreadSanitizer control: a buffer made and filled on a thread of its own, handed to a task
// through a checked continuation (as swift-nio's file reader hands its chunks to the task that
// reads them), then read by the task. Correct code: the resume happens after the last write.
import Foundation
final class Chunk: @unchecked Sendable { var bytes: [UInt8] = [] }
var total = 0
for round in 0..<3000 {
    let chunk = await withCheckedContinuation { (continuation: CheckedContinuation<Chunk, Never>) in
        Thread {
            let made = Chunk()
            made.bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: round), count: 256)
            continuation.resume(returning: made)
        }.start()
    }
    total += chunk.bytes.count
}
print(total)
