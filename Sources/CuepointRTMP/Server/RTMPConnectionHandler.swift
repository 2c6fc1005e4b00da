import NIOCore

/// One RTMP connection on its event loop: the handshake, the chunk decoder and the
/// connection's state machine, with the effects they ask for: replies, the router's
/// authorization, the session's FLV stream, pausing reading, timeouts.
///
/// Bytes from the socket are kept in one buffer only while a header is incomplete (the
/// decoder consumes partial payloads as they come), so a connection holds at most its partial
/// messages and its session's buffer.
///
/// **Reads are asked for, not automatic** (autoRead is off): one socket read burst at a time,
/// the next one asked for when the burst is handled. While a publish is live the next read is
/// asked for ``RTMPServer/Configuration/publishReadInterval`` later, so the socket gathers a
/// few of the publisher's small writes and each wake-up of the event loop (and of the session's
/// reader) handles several messages: the main saving over reading as bytes come (measured with
/// 10 publishers of 3 Mbit/s: 0.82 % of a core per stream reading at once, 0.55 % at 20 ms,
/// 0.32 % at 50 ms, 0.22 % at 100 ms). A burst of 64 KiB or more reads again at once, so a
/// high-bit-rate publisher is never held back by the pacing.
///
/// Reading stops while the router decides on a `publish` (no media may overtake the decision)
/// and while the session's buffer is full; the idle timeout does not count then. Decoding stops
/// at once too; what the socket delivered meanwhile (at most one read burst,
/// `maxMessagesPerRead` reads) waits undecoded in `pending`. A connection therefore holds at most
/// 1.25 × its session's capacity plus one message, one read burst and its partial messages.
///
/// The FLV pieces of one burst are handed to the session together (one lock, at most one
/// wake-up of the reader).
final class RTMPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let core: ServerCore
    private var handshake = HandshakeMachine()
    private var decoder: ChunkDecoder
    private var machine: ConnectionStateMachine
    /// Bytes read but not consumed (an incomplete header, or what follows a pending `publish`).
    private var pending: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var peer = "unknown"
    private var session: PublishSession?
    /// The `app`/`key` reserved in the server's live streams.
    private var reserved: (app: String, key: String)?
    private var authorizing = false
    private var backpressure = false
    /// The publisher has closed: what it sent is decoded whatever the session holds.
    private var draining = false
    private var closing = false
    /// Why the connection is being closed by the server; nil when the client closed it.
    private var closeReason: String?
    /// The close was already reported (a refused publish): no ``RTMPServer/Event/connectionClosed``.
    private var closeReported = false
    /// Why the session ends, when the server ends it.
    private var sessionEnd: PublishEndReason?
    private var openedAt = NIODeadline.now()
    private var lastRead = NIODeadline.now()
    private var timer: RepeatedTask?
    /// A read was asked for and its burst has not completed.
    private var readOutstanding = false
    /// A paced read is scheduled.
    private var readScheduled = false
    /// Bytes of the current (or last) read burst.
    private var burstBytes = 0
    /// A burst this large reads again at once: the publisher sends more than pacing should
    /// leave waiting in the socket (about 5 Mbit/s at the default interval).
    private static let largeBurst = 64 * 1024
    /// FLV pieces decoded but not yet handed to the session, and their size.
    private var batch: [FLVTag] = []
    private var batchBytes = 0
    /// A batch this large is handed over at once, so backpressure stops decoding in time: a
    /// quarter of the session's capacity, at most 256 KiB.
    private let batchLimit: Int

    init(core: ServerCore) {
        self.core = core
        decoder = ChunkDecoder(limits: core.configuration.chunkLimits)
        batchLimit = max(1, min(256 * 1024, core.configuration.sessionBufferCapacity / 4))
        var settings = ConnectionStateMachine.Settings()
        settings.outgoingChunkSize = core.configuration.outgoingChunkSize
        settings.windowAcknowledgementSize = core.configuration.windowAcknowledgementSize
        settings.maximumStreams = core.configuration.maximumStreamsPerConnection
        machine = ConnectionStateMachine(settings: settings)
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        peer = Self.describe(context.channel.remoteAddress)
        openedAt = .now()
        lastRead = openedAt
        let configuration = core.configuration
        let shortest = min(configuration.handshakeTimeout, configuration.idleTimeout)
        let tick = max(TimeAmount.milliseconds(100), .nanoseconds(shortest.nanoseconds / 4))
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in bound.value.checkTimeouts() }
        if context.channel.isActive { requestRead() }
    }

    func channelActive(context: ChannelHandlerContext) {
        requestRead()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        lastRead = .now()
        burstBytes += bytes.readableBytes
        // Every byte counts, the handshake's too; the peer's window arrives after the handshake.
        if let ack = machine.bytesReceived(bytes.readableBytes) {
            context.write(wrapOutboundOut(ack), promise: nil)
        }
        if pending == nil || pending!.readableBytes == 0 {
            pending = bytes
        } else {
            pending!.writeBuffer(&bytes)
        }
        process()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        readOutstanding = false
        context.flush()
        requestRead()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if session != nil, !closing {
            // The publisher closed its side: NIO has read everything up to the end of the stream,
            // and what backpressure left undecoded still belongs to the session (its last
            // seconds, a deleteStream). Bounded by what the socket held.
            draining = true
            process()
        }
        endSession(sessionEnd ?? (core.isStopping ? .serverStopped : .publisherLeft))
        core.remove(context.channel)
        if !closeReported {
            core.report(.connectionClosed(peer: peer, reason: closeReason ?? "the client closed the connection"))
        }
        pending = nil
        self.context = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(because: "connection error: \(error)", session: .publisherLeft)
    }

    // MARK: - Bytes in

    /// Runs the handshake, then decodes and handles messages until the bytes run out, a
    /// `publish` waits for the router, the session's buffer is full, or the connection is
    /// closing. Bytes not decoded stay in `pending` for the next call.
    private func process() {
        guard var buffer = pending, let context else { return }
        pending = nil  // so the decoder's slices do not make `buffer` copy on write
        defer { pending = buffer.readableBytes > 0 && !closing ? buffer : nil }
        do {
            while handshake.state != .done {
                let uptime = UInt32(truncatingIfNeeded: (NIODeadline.now() - openedAt).nanoseconds / 1_000_000)
                switch try handshake.receive(&buffer, uptimeMilliseconds: uptime, random: Self.fillRandom) {
                case .needMoreBytes:
                    return
                case .send(let reply):
                    context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
                case .completed:
                    break
                }
            }
            while !authorizing, !closing, !backpressure || draining, let message = try decoder.next(from: &buffer) {
                if message.type == .setChunkSize { session?.chunkSizeChanged(to: decoder.chunkSize) }
                let before = batch.count
                let action = try machine.receive(message, media: &batch)
                if batch.count > before {
                    for piece in batch[before...] { batchBytes += piece.byteCount }
                    if batchBytes >= batchLimit { handOver() }
                }
                perform(action)
            }
            handOver()
        } catch {
            handOver()
            close(because: error.description, session: .protocolError(error.description))
        }
    }

    private static func fillRandom(_ buffer: inout ByteBuffer, _ count: Int) {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<(count / 8) { buffer.writeInteger(generator.next() as UInt64) }
        for _ in 0..<(count % 8) { buffer.writeInteger(UInt8.random(in: 0...255, using: &generator)) }
    }

    // MARK: - Actions

    private func perform(_ action: ConnectionStateMachine.Action) {
        guard let context else { return }
        switch action {
        case .none:
            break
        case .send(let bytes):
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        case .authorize(let app, let key):
            authorize(app: app, key: key)
        case .unpublish:
            handOver()
            endSession(.unpublished)
        case .refuse(let bytes, let reason):
            closing = true
            closeReason = reason
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    private func authorize(app: String, key: String) {
        guard let context else { return }
        authorizing = true
        guard core.reserve(app: app, key: key) else {
            // Refused here, within `process()`, which stops at once since the connection is closing.
            let refusal = PublishRefusal.badName(
                "the stream key is already being published; stop the other publisher or wait until it has left")
            authorizing = false
            closeReported = true
            core.report(
                .publishRefused(peer: peer, app: Printable.text(app), key: Printable.text(key), reason: refusal.description))
            perform(machine.authorized(.refuse(refusal)))
            return
        }
        reserved = (app, key)
        let router = core.router
        let peer = self.peer
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.makeFutureWithTask {
            await router.authorize(app: app, key: key, peer: peer)
        }.whenSuccess { decision in
            bound.value.decided(decision, app: app, key: key)
        }
    }

    private func decided(_ decision: PublishDecision, app: String, key: String) {
        guard let context, !closing else {
            if let reserved, case .refuse = decision { core.release(app: reserved.app, key: reserved.key) }
            return
        }
        authorizing = false
        let action = machine.authorized(decision)
        switch decision {
        case .accept:
            let channel = context.channel
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let session = PublishSession(
                app: app, key: key, peer: peer, capacity: core.configuration.sessionBufferCapacity,
                chunkSize: decoder.chunkSize,
                controls: .init(
                    resumeReading: { channel.eventLoop.execute { bound.value.sessionDrained() } },
                    close: { channel.eventLoop.execute { bound.value.close(because: "the reader ended the session", session: .endedByReader) } }))
            self.session = session
            perform(action)
            core.report(.publishStarted(peer: peer, app: Printable.text(app), key: Printable.text(key)))
            core.router.publishStarted(session)
        case .refuse(let refusal):
            if let reserved, reserved.app == app, reserved.key == key {
                core.release(app: app, key: key)
                self.reserved = nil
            }
            closeReported = true
            core.report(
                .publishRefused(peer: peer, app: Printable.text(app), key: Printable.text(key), reason: refusal.description))
            perform(action)
        }
        if !closing {
            process()
            requestRead()
        }
    }

    /// Hands the decoded FLV pieces to the session; a full session turns on backpressure.
    private func handOver() {
        guard !batch.isEmpty else { return }
        if let session, session.append(batch) { backpressure = true }
        batch.removeAll(keepingCapacity: true)
        batchBytes = 0
    }

    /// The reader drained the session's buffer: decode what waits, and read again.
    private func sessionDrained() {
        guard backpressure else { return }
        backpressure = false
        lastRead = .now()
        process()
        requestRead()
    }

    /// Asks for the next read burst unless something holds the connection back or a read is
    /// already on its way: at once, or after the publish read interval while a publish is live.
    private func requestRead() {
        guard let context, !closing, !authorizing, !backpressure, !readOutstanding, !readScheduled else { return }
        let interval = core.configuration.publishReadInterval
        guard session != nil, interval.nanoseconds > 0, burstBytes < Self.largeBurst else { return read() }
        readScheduled = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: interval) {
            bound.value.readScheduled = false
            bound.value.read()
        }
    }

    private func read() {
        guard let context, !closing, !authorizing, !backpressure, !readOutstanding else { return }
        readOutstanding = true
        burstBytes = 0
        context.read()
    }

    // MARK: - Ending

    private func endSession(_ reason: PublishEndReason) {
        handOver()
        if let session {
            session.finish(reason)
            core.report(
                .publishEnded(peer: peer, app: Printable.text(session.app), key: Printable.text(session.key), reason: reason))
            self.session = nil
        }
        if let reserved {
            core.release(app: reserved.app, key: reserved.key)
            self.reserved = nil
        }
    }

    /// Closes the connection; `session` is the reason its session (if any) ends with.
    func close(because reason: String, session: PublishEndReason) {
        guard let context, !closing else { return }
        closing = true
        closeReason = reason
        sessionEnd = session
        endSession(session)
        context.close(promise: nil)
    }

    private func checkTimeouts() {
        let now = NIODeadline.now()
        let configuration = core.configuration
        if handshake.state != .done {
            if now - openedAt >= configuration.handshakeTimeout {
                close(
                    because: "the handshake did not finish within \(Self.format(configuration.handshakeTimeout))",
                    session: .publisherLeft)
            }
        } else if !authorizing, !backpressure, now - lastRead >= configuration.idleTimeout {
            close(
                because: "nothing arrived for \(Self.format(configuration.idleTimeout))",
                session: .timedOut(milliseconds: configuration.idleTimeout.nanoseconds / 1_000_000))
        }
    }

    static func format(_ amount: TimeAmount) -> String {
        PublishEndReason.seconds(amount.nanoseconds / 1_000_000)
    }

    static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return address.description
    }
}
