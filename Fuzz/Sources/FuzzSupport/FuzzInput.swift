/// What every harness shares: turning libFuzzer's bytes into the inputs our parsers take, and
/// stopping with a message when a property that must hold does not.
///
/// libFuzzer calls `LLVMFuzzerTestOneInput(data, size)` for each input it makes. A harness
/// returns 0; a crash, an AddressSanitizer report, a leak, a timeout or a call of
/// ``FuzzCheck/require(_:_:)`` that fails is a finding, and libFuzzer writes the input that
/// caused it to a `crash-…`, `leak-…` or `timeout-…` file (`scripts/fuzz.sh` lists them).
public enum FuzzInput {
    /// The bytes libFuzzer passed.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The bytes as text, invalid UTF-8 replaced by U+FFFD, as a body or a file that passed the
    /// UTF-8 check arrives (the replacement characters stand for text the check would refuse).
    public static func text(_ data: UnsafePointer<UInt8>?, _ size: Int) -> String {
        String(decoding: bytes(data, size), as: UTF8.self)
    }

    /// Splits `bytes` at the first `separator`: the bytes before it and after it (all bytes and
    /// nothing when it is missing). Harnesses that need two inputs (a value and a header) use it.
    public static func split(_ bytes: [UInt8], at separator: UInt8) -> (head: [UInt8], tail: [UInt8]) {
        guard let index = bytes.firstIndex(of: separator) else { return (bytes, []) }
        return (Array(bytes[..<index]), Array(bytes[(index + 1)...]))
    }
}

/// Properties a harness checks beyond "does not crash".
public enum FuzzCheck {
    /// Stops the process (a finding libFuzzer records with its input) when `condition` is false.
    ///
    /// - Parameters:
    ///   - condition: The property.
    ///   - message: What was expected and what was found; printed before the trap.
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        guard !condition else { return }
        fatalError("property violated: \(message())")
    }
}
