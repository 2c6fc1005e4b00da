import CuepointTestSupport
import CuepointHLS
import Testing

/// Vectors marked "ffmpeg" were extracted with `ffprobe -show_streams -show_data` from files made by
/// FFmpeg 5.1.9 (libx264 core 164, libx265 3.5, native aac); ffprobe's profile/level is noted.
@Suite("CodecString", .ownThreads)
struct CodecStringTests {
    // ffmpeg: testsrc2 640x360, libx264 -profile:v high, in MP4. ffprobe: High, level 30.
    static let highAvcC = bytes(
        "0164 001e ffe1 001a 6764 001e acd9 40a0 2ff9 7011 0000 0300 0100 0003 003c 0f16"
            + "2d96 0100 0668 ebe3 cb22 c0fd f8f8 00")
    // ffmpeg: the same stream remuxed to MPEG-TS; the TS demuxer's extradata uses 3-byte start codes.
    static let highAnnexB3 = bytes(
        "0000 0167 6400 1eac d940 a02f f970 1100 0003 0001 0000 0300 3c0f 162d 9600 0000 0168 ebe3 cb22 c0")
    // ffmpeg: first access unit of `-bsf:v h264_mp4toannexb` output (4-byte start codes): the AUD, then
    // SPS and PPS (the x264 SEI between them is left out of the vector).
    static let highAnnexB4 = bytes(
        "0000 0001 09f0 0000 0001 6764 001e acd9 40a0 2ff9 7011 0000 0300 0100 0003 003c 0f16 2d96"
            + "0000 0001 68eb e3cb 22c0")
    // ffmpeg: 320x240 -profile:v baseline -level 3.0. ffprobe: Constrained Baseline, level 30.
    static let baselineAvcC = bytes(
        "0142 c01e ffe1 0018 6742 c01e d901 41fb 0110 0000 0300 1000 0003 0320 f162 e480 0100 0568 cb83 cb20")

    @Test(
        "H.264 from avcC and Annex B",
        arguments: [
            (highAvcC, "avc1.64001e"),
            (highAnnexB3, "avc1.64001e"),
            (highAnnexB4, "avc1.64001e"),
            (baselineAvcC, "avc1.42c01e"),
            // Hand-made from H.264 7.3.2.1: High (100), no constraints, level 3.1; SPS after an SEI NAL.
            (bytes("00000001 06 05 01 ff 80 00000001 67 64 00 1f ac"), "avc1.64001f"),
            // Main (77) with constraint_set1 (0x40), level 4.0, minimal avcC.
            (bytes("01 4d 40 28 ff e1 00"), "avc1.4d4028"),
        ])
    func h264(configuration: [UInt8], expected: String) {
        #expect(CodecString.h264(configuration: configuration) == expected)
    }

    @Test("H.264 without an SPS or with too few bytes gives nil")
    func h264Invalid() {
        #expect(CodecString.h264(configuration: []) == nil)
        #expect(CodecString.h264(configuration: [0x01, 0x64]) == nil)
        #expect(CodecString.h264(configuration: bytes("00000001 68 ebe3cb22")) == nil)  // PPS only
        #expect(CodecString.h264(configuration: bytes("00000001 67 64")) == nil)  // truncated SPS
    }

    // ffmpeg: testsrc2 1280x720, libx265 (Main, Level-3.1, Main tier), `-tag:v hvc1` MP4. The hvcC
    // header and its VPS/SPS/PPS arrays; the SEI array (x265's option string) is cut off.
    static let mainHvcC = bytes(
        "0101 6000 0000 9000 0000 0000 5df0 00fc fdf8 f800 000f 04a0 0001 0018 4001 0c01"
            + "ffff 0160 0000 0300 9000 0003 0000 0300 5d95 9809 a100 0100 2b42 0101 0160 0000"
            + "0300 9000 0003 0000 0300 5da0 0280 802d 1659 59a4 932b c05a 0200 0003 0002 0000"
            + "0300 3c10 a200 0100 0744 01c1 72b4 6240")
    // ffmpeg: 640x360 libx265 -profile:v main10 (ffprobe: Main 10, level 63), hev1 in MP4, header only.
    static let main10HvcC = bytes("0102 2000 0000 9000 0000 0000 3ff0 00fc fdfa fa00 000f 04")
    // ffmpeg: the Main stream through `-bsf:v hevc_mp4toannexb -f hevc`: VPS, SPS, PPS. The SPS has
    // emulation-prevention bytes inside profile_tier_level (`00 00 03 00 90`).
    static let mainAnnexB = bytes(
        "0000 0140 010c 01ff ff01 6000 0003 0090 0000 0300 0003 005d 9598 0900 0000 0142"
            + "0101 0160 0000 0300 9000 0003 0000 0300 5da0 0280 802d 1659 59a4 932b c05a 0200"
            + "0003 0002 0000 0300 3c10 0000 0001 4401 c172 b462 4000")

    @Test(
        "HEVC from hvcC and Annex B",
        arguments: [
            (mainHvcC, "hvc1.1.6.L93.90"),
            (main10HvcC, "hvc1.2.4.L63.90"),
            (mainAnnexB, "hvc1.1.6.L93.90"),
            // Hand-made hvcC headers for the examples of hls-reference §9 (progressive, non-packed,
            // frame-only constraint flags = 0xB0).
            (bytes("01 01 60000000 B00000000000 78 f000fcfdf8f800000f00"), "hvc1.1.6.L120.B0"),
            (bytes("01 02 20000000 B00000000000 7B f000fcfdf8f800000f00"), "hvc1.2.4.L123.B0"),
            // Profile space 1 (A), high tier, Main 10 compatible with Main 10 only, level 5.1,
            // constraint bytes 0x90 0x00 0x04 → `90.0.4` (zero bytes in the middle stay).
            (bytes("01 62 20000000 900004000000 99 f000fcfdf8f800000f00"), "hvc1.A2.4.H153.90.0.4"),
            // All constraint bytes zero: none written. Compatibility 0xE0000000 (Main, Main 10, Main SP).
            (bytes("01 01 E0000000 000000000000 5D f000fcfdf8f800000f00"), "hvc1.1.7.L93"),
        ])
    func hevc(configuration: [UInt8], expected: String) {
        #expect(CodecString.hevc(configuration: configuration) == expected)
    }

    @Test("HEVC with an SPS after a 3-byte start code, or without one")
    func hevcAnnexBVariants() {
        let sps = "42 01 01 01 60 00 00 03 00 90 00 00 03 00 00 03 00 5d a0"
        #expect(CodecString.hevc(configuration: bytes("000001" + sps)) == "hvc1.1.6.L93.90")
        #expect(CodecString.hevc(configuration: bytes("00000001 40010c01ffff")) == nil)  // VPS only
        #expect(CodecString.hevc(configuration: bytes("00000001 42 01 01 01 60")) == nil)  // truncated
        #expect(CodecString.hevc(configuration: bytes("01 01 60")) == nil)
        #expect(CodecString.hevc(configuration: []) == nil)
    }

    @Test(
        "AAC from the AudioSpecificConfig",
        arguments: [
            // ffmpeg: native aac encoder, 48 kHz mono in MP4; ffprobe: LC. AOT 2.
            (bytes("1188 56e5 00"), "mp4a.40.2"),
            // Hand-made: AOT 2, 44.1 kHz (index 4), stereo: 00010 0100 0010 000 → 12 10.
            (bytes("12 10"), "mp4a.40.2"),
            // HE-AAC with explicit SBR signalling: AOT 5, 24 kHz core, stereo, extension 44.1 kHz, AOT 2.
            (bytes("2b 92 08 00"), "mp4a.40.5"),
            // HE-AACv2: AOT 29.
            (bytes("eb 09 88 00"), "mp4a.40.29"),
            // Escape: AOT 31 + 6 bits 001010 → 32 + 10 = 42 (USAC). 11111 001010 xxxxx → f9 40.
            (bytes("f9 40"), "mp4a.40.42"),
        ])
    func aacConfig(config: [UInt8], expected: String) {
        #expect(CodecString.aac(audioSpecificConfig: config) == expected)
    }

    @Test("AAC config that is empty, truncated at the escape, or AOT 0 gives nil")
    func aacInvalid() {
        #expect(CodecString.aac(audioSpecificConfig: []) == nil)
        #expect(CodecString.aac(audioSpecificConfig: [0xF9]) == nil)
        #expect(CodecString.aac(audioSpecificConfig: [0x00, 0x10]) == nil)
    }

    @Test(
        "AAC from FFmpeg's profile for ADTS without extradata",
        arguments: [(1, "mp4a.40.2"), (4, "mp4a.40.5"), (28, "mp4a.40.29"), (0, "mp4a.40.1"), (-99, "mp4a.40.2")])
    func aacProfile(profile: Int, expected: String) {
        #expect(CodecString.aac(profile: profile) == expected)
    }
}
