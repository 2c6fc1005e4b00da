import CFuzzDriver

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts libFuzzer from a harness's top-level code.
///
/// SwiftPM links an executable's `main` to the module's own entry point, which would run the
/// harness's (empty) top-level code and exit at once, so libFuzzer's `main` never gets a say.
/// Each harness therefore begins with `FuzzDriver.run(itsTestFunction)`: libFuzzer then reads
/// the command line (`-max_total_time=60 corpus/…`) exactly as its own `main` would.
public enum FuzzDriver {
    /// The signature libFuzzer calls for each input.
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer with the process's arguments and `test`; exits with libFuzzer's status.
    public static func run(_ test: TestOneInput) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv, test)
        exit(status)
    }
}
