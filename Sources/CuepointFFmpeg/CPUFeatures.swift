internal import CCuepointFFmpeg

/// What FFmpeg found the processor can do (`av_get_cpu_flags`), as far as Cuepoint's encoders
/// need to know.
public enum CPUFeatures {
    /// libx264's `asm` parameter that keeps every instruction set x264 would choose on this
    /// machine except AVX-512, or nil when x264's own choice has no AVX-512 to leave out.
    ///
    /// Why deterministic mode needs it: libx264 0.164 (Debian 12) reads memory it never wrote
    /// when it runs its AVX-512 code on some picture sizes (426×240, 424×240, 416×240, not
    /// 640×360), so the bits it writes depend on what the heap held before. Two encodes of the
    /// same pictures in one long-running process can then differ. The `ffmpeg` program shows it
    /// alone: `MALLOC_PERTURB_=1` against none gives another file, and `asm=AVX2` or `asm=0`
    /// give the same file whatever the heap holds (docs/reliability.md, "Determinism"). x264's
    /// assembly is bit-exact with its C code, so leaving AVX-512 out costs a little speed and
    /// changes no decision of the encoder's.
    ///
    /// x264's name `AVX2` stands for AVX2 and everything below it (FMA3, BMI1/2, LZCNT, AVX,
    /// SSE4.2, …), which every processor with AVX-512 has; it is given only when FFmpeg found
    /// them all.
    public static var x264AssemblyWithoutAVX512: String? {
        #if arch(x86_64)
        let flags = UInt32(bitPattern: av_get_cpu_flags())
        let avx2AndBelow = UInt32(AV_CPU_FLAG_AVX2 | AV_CPU_FLAG_FMA3 | AV_CPU_FLAG_BMI2 | AV_CPU_FLAG_SSE42)
        guard flags & UInt32(AV_CPU_FLAG_AVX512) != 0, flags & avx2AndBelow == avx2AndBelow else { return nil }
        return "AVX2"
        #else
        return nil
        #endif
    }
}
