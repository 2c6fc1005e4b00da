import CuepointTestSupport
import Testing

@testable import Cuepoint

/// Which `udp://` URLs Cuepoint's own receiver takes, and what it reads from them.
@Suite(.ownThreads) struct UDPInputAddressTests {
    @Test func readsTheAddressAndTheOptionsItKnows() throws {
        let address = try UDPInputAddress.parse(
            "udp://127.0.0.1:5000?pkt_size=13160&fifo_size=28672&overrun_nonfatal=1&timeout=2000000&buffer_size=65536"
        ).get()
        #expect(address.host == "127.0.0.1" && address.port == 5000 && !address.isMulticast)
        #expect(address.timeoutMicroseconds == 2_000_000 && address.bufferSize == 65536)
    }

    @Test func multicastGroupsAreJoined() throws {
        let address = try UDPInputAddress.parse("udp://@239.1.2.3:1234", options: ["localaddr": "10.0.0.5"]).get()
        #expect(address.isMulticast && address.host == "239.1.2.3" && address.localAddress == "10.0.0.5")
    }

    @Test func whatItDoesNotKnowIsLeftToFFmpeg() {
        #expect(throws: UDPInputAddress.Unsupported.self) { try UDPInputAddress.parse("udp://[::1]:5000").get() }
        #expect(throws: UDPInputAddress.Unsupported.self) { try UDPInputAddress.parse("udp://127.0.0.1:5000?sources=1.2.3.4").get() }
        #expect(throws: UDPInputAddress.Unsupported.self) { try UDPInputAddress.parse("udp://127.0.0.1").get() }
        #expect(throws: UDPInputAddress.Unsupported.self) { try UDPInputAddress.parse("rtp://127.0.0.1:5000").get() }
    }
}
