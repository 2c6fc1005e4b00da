import CuepointFFmpeg
import CuepointTime
import Foundation

/// Cuepoint's own UDP receiver for a live MPEG-TS input: one socket read on the pipeline's own
/// thread, datagrams taken straight into the caller's buffer.
///
/// FFmpeg's `udp` protocol runs a receiving thread per input with a circular buffer (5.4 MB by
/// default) and wakes the reading thread for every datagram. Here the kernel's socket buffer is
/// the only buffer (``UDPInputAddress/defaultBufferSize``, not counted in the process's memory),
/// and a read drains every datagram waiting, so a stream costs one wake-up per batch rather than
/// two thread switches per datagram. Reads are at least ``batchInterval`` apart, and each takes
/// every datagram that arrived meanwhile: with the 100 ms of 2-second segments, a 3 Mbit/s
/// stream sent in small datagrams (7 TS packets, 310 a second) wakes its thread 10 times a
/// second instead of 620, one sent in large ones (70 packets, 31 a second) 10 times instead of
/// 62. The price is at most that much latency before a segment is cut, a twentieth of the
/// shortest thing a player waits for (``batchInterval(shortestUnit:)``), next to the frame
/// (33 ms) any MPEG-TS reader waits for the next PES packet. After the wait the socket is read
/// at once, without asking `poll` first: a batch costs one sleep and the reads. A read that
/// fills its buffer is followed by the next without a wait (a probe, a backlog).
///
/// Owned by the pipeline's thread; ``InterruptPolicy`` (a stop, a wait's deadline) is checked
/// at least every 100 ms while waiting.
final class DatagramSource: BlockingByteSource {
    let address: UDPInputAddress
    let interrupt: InterruptPolicy
    /// How long a read may wait for the first datagram before it fails with `.timedOut`; nil waits.
    var timeoutNanoseconds: UInt64?
    /// Disarm the interrupt policy's deadline when the next datagram arrives: a sender came back
    /// within the reconnect wait, and probing its stream has no deadline of its own.
    var endsWaitOnData = false
    private var descriptor: Int32 = -1
    /// When the last read returned (`DispatchTime.uptimeNanoseconds`).
    private var lastRead: UInt64 = 0
    /// Datagrams and bytes received.
    private(set) var datagrams = 0
    private(set) var bytes = 0
    /// Reads that waited for their batch to gather.
    private(set) var batchWaits = 0

    /// The shortest time between two reads, in nanoseconds (``batchInterval(shortestUnit:)``).
    let batchInterval: UInt64

    /// The batch interval for an output whose shortest unit (a segment, or an LL-HLS part) lasts
    /// `unit`: a twentieth of it, at least 40 ms and at most 100 ms (the longest time a stop
    /// waits). 2-second segments and longer give 100 ms, 1-second parts 50 ms, shorter parts
    /// 40 ms.
    static func batchInterval(shortestUnit unit: MediaTime) -> UInt64 {
        let twentieth = UInt64(max(0, unit.rescaled(to: .microseconds).ticks)) * 1000 / 20
        return min(100_000_000, max(40_000_000, twentieth))
    }
    /// The largest UDP payload: a datagram goes straight into the caller's buffer while this much
    /// room is left, else through a buffer of this size whose rest the next read takes.
    static let largestDatagram = 65_536

    /// Opens and binds the socket (and joins the multicast group).
    ///
    /// - Throws: `CuepointError` naming the address when the socket cannot be made or bound
    ///   (the port is in use, the address is not this machine's).
    init(
        address: UDPInputAddress, timeoutNanoseconds: UInt64?, interrupt: InterruptPolicy, displayURL: String,
        batchInterval: UInt64
    ) throws(CuepointError) {
        self.address = address
        self.batchInterval = batchInterval
        self.interrupt = interrupt
        self.timeoutNanoseconds = timeoutNanoseconds
        descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw Self.failure(displayURL, "socket", errno) }
        var one: Int32 = 1
        if address.reuse || address.isMulticast {
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var size = Int32(clamping: address.bufferSize ?? UDPInputAddress.defaultBufferSize)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        let bindHost = address.isMulticast ? address.host : (address.localAddress ?? "0.0.0.0")
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = address.port.bigEndian
        inet_pton(AF_INET, bindHost, &local.sin_addr)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if bound != 0 {
            let code = errno
            close(descriptor)
            throw Self.failure(displayURL, "bind", code)
        }
        if address.isMulticast {
            var request = ip_mreq()
            inet_pton(AF_INET, address.host, &request.imr_multiaddr)
            inet_pton(AF_INET, address.localAddress ?? "0.0.0.0", &request.imr_interface)
            if setsockopt(descriptor, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &request, socklen_t(MemoryLayout<ip_mreq>.size)) != 0 {
                let code = errno
                close(descriptor)
                throw Self.failure(displayURL, "join the multicast group", code)
            }
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        leftover?.deallocate()
    }

    private static func failure(_ url: String, _ operation: String, _ code: Int32) -> CuepointError {
        let reason = String(cString: strerror(code))
        if code == EADDRINUSE || code == EADDRNOTAVAIL || code == EACCES {
            return CuepointError(
                subject: url, message: "cannot listen (\(operation): \(reason))",
                fix: "check that the address is this machine's and no other program uses the port")
        }
        return CuepointError(subject: url, message: "cannot receive UDP (\(operation): \(reason))")
    }

    /// Waits for datagrams and copies every one waiting into `buffer`, as a byte stream: a
    /// datagram that does not fit whole is cut, and its rest kept for the next read (MPEG-TS
    /// needs no datagram boundaries; FFmpeg's probe reads through a 64 KB buffer, smaller than
    /// a datagram may be).
    ///
    /// The batch wait applies only once the reader has caught up: a read that filled the buffer
    /// (more is waiting) is followed by the next one at once, so a probe reading 64 KB at a time
    /// or a backlog after a stall is read at full speed.
    ///
    /// - Throws: `.exit` when interrupted, `.timedOut` after ``timeoutNanoseconds`` without a datagram.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FFmpegError) -> Int {
        guard buffer.count > 0 else { return 0 }
        // Let the datagrams of a batch interval gather (one wake-up reads them all), unless the
        // last read filled its buffer: more is waiting.
        let elapsed = DispatchTime.now().uptimeNanoseconds - lastRead
        if !lastReadFilledItsBuffer && elapsed < batchInterval {
            batchWaits += 1
            usleep(UInt32((batchInterval - elapsed) / 1000))
        }
        // Usually the batch is there: read it without a poll. Wait only when nothing came.
        var filled = try drain(into: buffer)
        while filled == 0 {
            try waitUntilReadable()
            filled = try drain(into: buffer)
        }
        bytes += filled
        lastRead = DispatchTime.now().uptimeNanoseconds
        lastReadFilledItsBuffer = filled == buffer.count
        if endsWaitOnData, filled > 0 {
            endsWaitOnData = false
            interrupt.disarmDeadline()
        }
        return filled
    }

    /// Whether the last read filled its buffer (the next one then reads without waiting).
    private var lastReadFilledItsBuffer = false
    /// The rest of a datagram cut by the end of the caller's buffer: `leftover[leftoverStart...]`.
    private var leftover: UnsafeMutableRawBufferPointer?
    private var leftoverStart = 0
    private var leftoverEnd = 0

    /// Copies the rest of a cut datagram, then takes every datagram waiting (without blocking)
    /// until `buffer` is full: straight into it while a whole datagram surely fits, else
    /// through ``leftover``.
    private func drain(into buffer: UnsafeMutableRawBufferPointer) throws(FFmpegError) -> Int {
        if interrupt.isCancelled || interrupt.deadlinePassed {
            throw FFmpegError(code: .exit, function: "recv", message: "interrupted")
        }
        var filled = takeLeftover(into: buffer)
        while filled < buffer.count {
            let room = buffer.count - filled
            if room >= DatagramSource.largestDatagram {
                guard let received = try receive(into: buffer.baseAddress! + filled, capacity: room) else { break }
                filled += received
            } else {
                let scratch = scratchBuffer()
                guard let received = try receive(into: scratch.baseAddress!, capacity: scratch.count) else { break }
                leftoverStart = 0
                leftoverEnd = received
                filled += takeLeftover(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            }
        }
        return filled
    }

    /// One datagram into `target`, without blocking; nil when none is waiting.
    private func receive(into target: UnsafeMutableRawPointer, capacity: Int) throws(FFmpegError) -> Int? {
        while true {
            let received = recv(descriptor, target, capacity, Int32(MSG_DONTWAIT))
            if received >= 0 {
                datagrams += 1
                return received
            }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw FFmpegError(code: .inputOutput, function: "recv", message: String(cString: strerror(errno)))
        }
    }

    /// Copies as much of ``leftover`` as fits into `buffer`.
    private func takeLeftover(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let leftover, leftoverEnd > leftoverStart else { return 0 }
        let count = min(buffer.count, leftoverEnd - leftoverStart)
        buffer.baseAddress!.copyMemory(from: leftover.baseAddress! + leftoverStart, byteCount: count)
        leftoverStart += count
        return count
    }

    /// The buffer a datagram is taken into when the caller's room is smaller than the largest
    /// datagram (allocated on first use: a copy-path read buffer of 256 KB never needs it).
    private func scratchBuffer() -> UnsafeMutableRawBufferPointer {
        if let leftover { return leftover }
        let made = UnsafeMutableRawBufferPointer.allocate(byteCount: DatagramSource.largestDatagram, alignment: 16)
        leftover = made
        return made
    }

    /// Blocks in `poll` (100 ms at a time, to check the interrupt policy) until a datagram is there.
    private func waitUntilReadable() throws(FFmpegError) {
        let start = DispatchTime.now().uptimeNanoseconds
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            if interrupt.isCancelled || interrupt.deadlinePassed {
                throw FFmpegError(code: .exit, function: "poll", message: "interrupted")
            }
            let ready = poll(&entry, 1, 100)
            if ready > 0 { return }
            if ready < 0, errno != EINTR {
                throw FFmpegError(code: .inputOutput, function: "poll", message: String(cString: strerror(errno)))
            }
            if let timeout = timeoutNanoseconds, DispatchTime.now().uptimeNanoseconds - start >= timeout {
                throw FFmpegError(code: .timedOut, function: "recv", message: "no data before the read timeout")
            }
        }
    }
}
