import CuepointTestSupport
import Testing

@testable import Cuepoint

/// PES headers, keyframes from NAL unit types, ADTS frame counts and the 33-bit unwrapping,
/// fed bytes without files.
@Suite(.ownThreads) struct ElementaryStreamScanTests {
    func keyframe(_ bytes: [UInt8], _ codec: KeyframeScan.Codec = .h264) -> Bool? {
        bytes.withUnsafeBytes { KeyframeScan.isKeyframe($0, codec: codec) }
    }

    @Test func readsPTSAndDTS() {
        let header = PESHeader.bytes(streamID: 0xE0, pts: 0x1_2345_6789, payloadLength: 0)
        let read = header.withUnsafeBytes { PESHeader($0) }
        #expect(read?.pts == 0x1_2345_6789 && read?.dts == 0x1_2345_6789)
        #expect(read?.headerSize == 14 && read?.packetLength == 0 && read?.streamID == 0xE0)
        // PTS 3600 and DTS 0: flags 11, PTS prefix 0011, DTS prefix 0001.
        let both: [UInt8] = [0, 0, 1, 0xE0, 0, 0, 0x80, 0xC0, 10, 0x31, 0, 0x01, 0x1C, 0x21, 0x11, 0, 0x01, 0, 0x01]
        let pair = both.withUnsafeBytes { PESHeader($0) }
        #expect(pair?.pts == 3600 && pair?.dts == 0 && pair?.headerSize == 19)
    }

    @Test func refusesWhatIsNotAPESHeader() {
        #expect([0, 0, 2, 0xE0, 0, 0, 0x80, 0, 0].withUnsafeBytes { PESHeader($0) } == nil)
        #expect([0, 0, 1, 0xE0, 0, 0, 0x80, 0x80, 20].withUnsafeBytes { PESHeader($0) } == nil)  // header cut short
    }

    @Test func anIDRSliceIsAKeyframe() {
        // AUD, SPS, PPS, IDR slice.
        #expect(keyframe([0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1, 0x67, 0x64, 0, 0, 1, 0x68, 0xEE, 0, 0, 1, 0x65, 0x88]) == true)
        #expect(keyframe([0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x41, 0x9A]) == false)  // a non-IDR slice
        #expect(keyframe([0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, 0x67]) == nil)  // no slice yet: give more bytes
    }

    @Test func aRecoveryPointSEIMakesTheNextSliceAKeyframe() {
        // SEI: user data unregistered (type 5, 3 bytes) then recovery point (type 6, 1 byte).
        let sei: [UInt8] = [0, 0, 1, 0x06, 0x05, 0x03, 0xAA, 0xBB, 0xCC, 0x06, 0x01, 0x80, 0x80]
        #expect(keyframe(sei + [0, 0, 1, 0x41, 0x9A]) == true)
        let otherSEI: [UInt8] = [0, 0, 1, 0x06, 0x05, 0x02, 0x00, 0x00, 0x03, 0x01, 0x80]  // emulation prevention inside
        #expect(keyframe(otherSEI + [0, 0, 1, 0x41, 0x9A]) == false)
    }

    @Test func hevcIRAPPicturesAreKeyframes() {
        // AUD (35), VPS (32), IDR_W_RADL (19); then a TRAIL_R (1).
        #expect(keyframe([0, 0, 1, 0x46, 0x01, 0x50, 0, 0, 1, 0x40, 0x01, 0x0C, 0, 0, 1, 0x26, 0x01, 0xAF], .hevc) == true)
        #expect(keyframe([0, 0, 1, 0x46, 0x01, 0x50, 0, 0, 1, 0x02, 0x01, 0xD0], .hevc) == false)
        #expect(keyframe([0, 0, 1, 0x2A, 0x01, 0xAF], .hevc) == true)  // CRA (21)
    }

    @Test func countsADTSFrames() {
        func frame(_ length: Int) -> [UInt8] {
            [0xFF, 0xF1, 0x50, 0x80 | UInt8(length >> 11), UInt8(length >> 3 & 0xFF), UInt8((length & 7) << 5) | 0x1F, 0xFC]
                + [UInt8](repeating: 0x21, count: length - 7)
        }
        let bytes = frame(20) + frame(300) + frame(7)
        #expect(bytes.withUnsafeBytes { ADTSFrames.count($0) } == 3)
        #expect((bytes + [0x00, 0x11]).withUnsafeBytes { ADTSFrames.count($0) } == 3)
        #expect([UInt8]().withUnsafeBytes { ADTSFrames.count($0) } == 0)
    }

    @Test func unwrapsOnceAsLibavformatDoes() {
        // A stream starting 10 s before the wrap: timestamps after it continue above 2^33.
        var late = TimestampUnwrapping()
        let start = TimestampUnwrapping.wrap - 900_000
        #expect(late.unwrap(start, reference: start) == start - TimestampUnwrapping.wrap)
        #expect(late.unwrap(1000, reference: 1000) == 1000)
        // A stream starting at 100 s: a timestamp that wrapped gets 2^33 added.
        var early = TimestampUnwrapping()
        #expect(early.unwrap(9_000_000, reference: 9_000_000) == 9_000_000)
        #expect(early.unwrap(2000, reference: 2000) == 2000 + TimestampUnwrapping.wrap)
        #expect(early.unwrap(3_600_000, reference: 3_600_000) == 3_600_000)  // less than 60 s back: not wrapped
    }
}
