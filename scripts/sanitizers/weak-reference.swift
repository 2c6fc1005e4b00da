// LeakSanitizer control: an object that was once referenced weakly, kept alive by a global. Swift
// keeps the object's side table (made for the weak reference, kept until the object dies) at an
// address stored encoded in the object's reference count, where LeakSanitizer cannot recognise
// the pointer once the weak reference itself is gone. Correct code: nothing is lost.
final class Metrics { var value = 1 }
struct Entry { weak var metrics: Metrics? }
let strong = Metrics()
var entries: [Entry] = [Entry(metrics: strong)]
entries.removeAll()
print(entries.count, strong.value)
