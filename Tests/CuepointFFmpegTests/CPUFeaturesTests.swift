import CuepointFFmpeg
import CuepointTestSupport
import Foundation
import Testing

@Suite(.ownThreads) struct CPUFeaturesTests {
    /// The kernel's list of the processor's features, read apart from FFmpeg's detection.
    static let kernelFlags: Set<Substring> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return [] }
        return Set(line.split(separator: ":").last?.split(separator: " ") ?? [])
    }()

    /// AVX-512 is left out exactly when the kernel says the processor has the parts FFmpeg
    /// requires of it (F, CD, BW, DQ, VL) and the OS keeps its registers.
    @Test(.enabled(if: !kernelFlags.isEmpty, "needs /proc/cpuinfo (Linux)"))
    func avx512IsLeftOutOnlyWhereThereIsSome() {
        #if arch(x86_64)
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy {
            Self.kernelFlags.contains(Substring($0))
        }
        #expect(CPUFeatures.x264AssemblyWithoutAVX512 == (avx512 ? "AVX2" : nil), "\(Self.kernelFlags.sorted())")
        #else
        #expect(CPUFeatures.x264AssemblyWithoutAVX512 == nil)
        #endif
    }
}
