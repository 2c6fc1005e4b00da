// ThreadSanitizer control: two threads append under Synchronization.Mutex (correct code).
// Swift 6.3 on Linux: TSan reports a race here (the futex slow path of Mutex is not instrumented).
// scripts/sanitizers/controls.sh runs it beside nslock-contended.swift, which TSan accepts.
import Foundation
import Synchronization
final class Box: Sendable { let state = Mutex<[Int]>([]) }
let box = Box()
let group = DispatchGroup()
for t in 0..<2 {
    group.enter()
    Thread { for i in 0..<20000 { box.state.withLock { $0.append(i + t) ; if $0.count > 100 { $0 = [] } } }; group.leave() }.start()
}
group.wait()
print(box.state.withLock { $0.count })
