// ThreadSanitizer control: the same program as mutex-contended.swift with NSLock (pthread,
// which TSan intercepts): no report.
import Foundation
final class Box: @unchecked Sendable { let lock = NSLock(); var state: [Int] = [] }
let box = Box()
let group = DispatchGroup()
for t in 0..<2 {
    group.enter()
    Thread { for i in 0..<20000 { box.lock.withLock { box.state.append(i + t) ; if box.state.count > 100 { box.state = [] } } }; group.leave() }.start()
}
group.wait()
print(box.lock.withLock { box.state.count })
