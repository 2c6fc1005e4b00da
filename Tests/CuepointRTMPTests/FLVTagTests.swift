import CuepointTestSupport
import CuepointRTMP
import NIOCore
import Testing

@Suite("FLV tags", .ownThreads)
struct FLVTagTests {
    static let video = FLVTag(.video, timestamp: 0x0123_4567, payload: ByteBuffer(bytes: [0x17, 0x01, 0x02]))

    @Test("the file header and a tag as the FLV specification lays them out")
    func layout() {
        #expect(Self.read([.fileHeader([.audio, .video])]) == Hex.bytes("464C5601 05 00000009 00000000"))
        #expect(Self.read([.fileHeader([.video])]) == Hex.bytes("464C5601 01 00000009 00000000"))
        // type, size (3), time low 24 bits, time high 8 bits, stream 0 (3), body, previous tag size 11 + 3.
        #expect(Self.read([Self.video]) == Hex.bytes("09 000003 234567 01 000000 170102 0000000E"))
        #expect(Self.video.byteCount == 18)
    }

    @Test("copying in pieces of every size gives the same bytes")
    func pieces() {
        let tags: [FLVTag] = [.fileHeader([.audio]), Self.video, FLVTag(.audio, timestamp: 7, payload: ByteBuffer(bytes: [0xAF]))]
        let whole = Self.read(tags)
        for size in 1...20 {
            #expect(Self.read(tags, pieceSize: size) == whole, "pieces of \(size)")
        }
    }

    /// The bytes of `tags`, copied out `pieceSize` bytes at a time.
    static func read(_ tags: [FLVTag], pieceSize: Int = 4096) -> [UInt8] {
        var out: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: pieceSize)
        for tag in tags {
            var offset = 0
            while offset < tag.byteCount {
                let count = scratch.withUnsafeMutableBytes { tag.copyBytes(from: offset, into: $0) }
                out += scratch[..<count]
                offset += count
            }
        }
        return out
    }
}
