import NIOCore

/// What one RTMP connection says and does, after the handshake: messages in, actions out.
///
/// ```
/// awaitingConnect ──connect──► connected ──publish──► authorizing ──accept──► publishing
///                                 ▲  createStream,                │refuse         │ deleteStream,
///                                 │  releaseStream, FCPublish     ▼               │ closeStream
///                                 │                            (closed)           │
///                                 └───────────────────────────────────────────────┘
/// ```
///
/// `play` is refused with NetStream.Play.Failed: the server takes publishers only. Media
/// messages of the publishing stream become FLV tags (``FLVStream``); everything else a
/// client may send (acknowledgements, bandwidth checks, unknown commands) is ignored.
///
/// Pure: no I/O and no clock; the connection handler performs the actions.
struct ConnectionStateMachine {
    /// What the server announces and allows.
    struct Settings {
        /// The chunk size announced after `connect` and used for every reply.
        var outgoingChunkSize = 4096
        /// The Window Acknowledgement Size and Set Peer Bandwidth announced after `connect`.
        var windowAcknowledgementSize: UInt32 = 2_500_000
        /// The most streams one connection may create.
        var maximumStreams = 8
        var amf = AMF0Decoder()
    }

    enum State: Equatable {
        case awaitingConnect
        case connected
        /// `publish` was said on `streamID`; the router is deciding.
        case authorizing(PublishTarget)
        case publishing(PublishTarget)
        case closed
    }

    /// The stream a `publish` is for.
    struct PublishTarget: Equatable {
        var streamID: UInt32
        var key: String
    }

    /// What the handler must do after a message.
    enum Action {
        case none
        /// Send these bytes (encoded chunks).
        case send(ByteBuffer)
        /// Ask the router about `app`/`key`; meanwhile read nothing more from this connection.
        case authorize(app: String, key: String)
        /// The publisher said it is done: end the session (``PublishEndReason/unpublished``).
        case unpublish
        /// Send these bytes (an error status), then close the connection; `reason` is for the log.
        case refuse(ByteBuffer, reason: String)
    }

    let settings: Settings
    private(set) var state = State.awaitingConnect
    /// The application from `connect`.
    private(set) var app = ""
    private var encoder = ChunkEncoder()
    private var streams: Set<UInt32> = []
    private var nextStreamID: UInt32 = 1
    private var flv = FLVStream()
    /// The peer's Window Acknowledgement Size: acknowledge after this many bytes (0: never).
    private var peerWindow: UInt32 = 0
    private var received: UInt64 = 0
    private var acknowledged: UInt64 = 0

    init(settings: Settings = Settings()) {
        self.settings = settings
    }

    // MARK: - Messages

    /// Handles one message from the peer; the FLV pieces of a media message of the publishing
    /// stream are appended to `media` (for the session).
    mutating func receive(_ message: RTMPMessage, media: inout [FLVTag]) throws(RTMPProtocolError) -> Action {
        switch message.type {
        case .audio, .video, .dataAMF0, .dataAMF3, .aggregate:
            if case .publishing(let target) = state, message.streamID == target.streamID {
                flv.append(message, to: &media, amf: settings.amf)
            }
            return .none
        case .commandAMF0, .commandAMF3:
            return try command(Command(message, decoder: settings.amf), streamID: message.streamID)
        case .windowAcknowledgementSize:
            guard let size = message.payload.getInteger(at: message.payload.readerIndex, as: UInt32.self) else {
                throw RTMPProtocolError("a Window Acknowledgement Size message of \(message.payload.readableBytes) bytes (it needs 4)")
            }
            peerWindow = size
            return .none
        case .userControl:
            var payload = message.payload
            guard let event = payload.readInteger(as: UInt16.self) else { return .none }
            if event == UserControlEvent.pingRequest.rawValue, let time = payload.readInteger(as: UInt32.self) {
                return .send(encode([ControlMessages.userControl(.pingResponse, time)]))
            }
            return .none
        default:
            // Set Chunk Size and Abort were applied by the decoder; acknowledgements, Set Peer
            // Bandwidth (the server sends little) and unknown types need nothing.
            return .none
        }
    }

    /// Counts bytes read from the peer; returns an Acknowledgement to send once the peer's
    /// window is reached.
    mutating func bytesReceived(_ count: Int) -> ByteBuffer? {
        received += UInt64(count)
        guard peerWindow > 0, received - acknowledged >= UInt64(peerWindow) else { return nil }
        acknowledged = received
        return encode([ControlMessages.acknowledgement(UInt32(truncatingIfNeeded: received))])
    }

    // MARK: - Commands

    private mutating func command(_ command: Command, streamID: UInt32) throws(RTMPProtocolError) -> Action {
        switch command.name {
        case "connect":
            guard state == .awaitingConnect else {
                return .refuse(
                    encode([CommandReplies.error(
                        transactionID: command.transactionID, code: "NetConnection.Connect.Rejected",
                        description: "already connected")]),
                    reason: "a second connect on one connection")
            }
            guard let application = command.commandObject["app"]?.stringValue else {
                throw RTMPProtocolError("connect without an app (the application, `live` in rtmp://host/live/KEY)")
            }
            app = String(application.reversed().drop { $0 == "/" }.reversed())
            state = .connected
            var replies = [
                ControlMessages.windowAcknowledgementSize(settings.windowAcknowledgementSize),
                ControlMessages.setPeerBandwidth(settings.windowAcknowledgementSize),
                ControlMessages.setChunkSize(settings.outgoingChunkSize),
            ]
            var bytes = encode(replies)
            encoder.chunkSize = settings.outgoingChunkSize
            replies = [CommandReplies.connectSuccess(transactionID: command.transactionID)]
            bytes.writeImmutableBuffer(encode(replies))
            return .send(bytes)
        case "createStream":
            try requireConnected(command)
            guard streams.count < settings.maximumStreams else {
                throw RTMPProtocolError("more than \(settings.maximumStreams) streams created on one connection")
            }
            let id = nextStreamID
            nextStreamID += 1
            streams.insert(id)
            return .send(encode([CommandReplies.result(transactionID: command.transactionID, .number(Double(id)))]))
        case "releaseStream", "FCPublish":
            // Answered as SRS does; FFmpeg's and OBS's clients send them and wait for nothing.
            guard command.transactionID != 0 else { return .none }
            return .send(encode([CommandReplies.result(transactionID: command.transactionID, .undefined)]))
        case "publish":
            return publish(command, streamID: streamID)
        case "play", "play2":
            return .refuse(
                encode([
                    CommandReplies.onStatus(
                        streamID: streamID, level: "error", code: "NetStream.Play.Failed",
                        description: "this RTMP server takes publishers only; play the show's HLS playlist instead")
                ]),
                reason: "the client asked to play \"\(Printable.text(command.stringArgument(0) ?? ""))\"; only publishing is served")
        case "deleteStream", "closeStream":
            // FCUnpublish (sent first by FFmpeg, GStreamer and OBS) is only a notice: the stream
            // ends with deleteStream, the publisher's last word, so a reader that stops at the end
            // of the session never closes the connection while the publisher is still talking.
            if command.name == "deleteStream", let id = command.arguments.first?.numberValue {
                streams.remove(UInt32(clamping: Int64(id)))
            }
            switch state {
            case .publishing, .authorizing:
                state = .connected
                flv = FLVStream()
                return .unpublish
            default:
                return .none
            }
        default:
            return .none
        }
    }

    private func requireConnected(_ command: Command) throws(RTMPProtocolError) {
        guard state != .awaitingConnect else {
            throw RTMPProtocolError("\(command.name) before connect")
        }
    }

    private mutating func publish(_ command: Command, streamID: UInt32) -> Action {
        func refusal(_ code: String, _ description: String, _ reason: String) -> Action {
            .refuse(
                encode([CommandReplies.onStatus(streamID: streamID, level: "error", code: code, description: description)]),
                reason: reason)
        }
        guard state == .connected else {
            switch state {
            case .awaitingConnect:
                return refusal("NetStream.Publish.BadConnection", "publish before connect", "publish before connect")
            default:
                return refusal(
                    "NetStream.Publish.BadConnection", "this connection already publishes a stream",
                    "a second publish on one connection")
            }
        }
        guard streams.contains(streamID) else {
            return refusal(
                "NetStream.Publish.BadConnection", "publish on stream \(streamID), which createStream did not make",
                "publish on an unknown stream \(streamID)")
        }
        guard let key = command.stringArgument(0), !key.isEmpty else {
            return refusal(
                "NetStream.Publish.BadName", "a stream key is required: publish to rtmp://HOST:PORT/APP/KEY",
                "publish without a stream key")
        }
        state = .authorizing(PublishTarget(streamID: streamID, key: key))
        return .authorize(app: app, key: key)
    }

    /// The router's decision on the pending `publish`: Stream Begin and NetStream.Publish.Start,
    /// or an error status and the end of the connection.
    mutating func authorized(_ decision: PublishDecision) -> Action {
        guard case .authorizing(let target) = state else { return .none }
        switch decision {
        case .accept:
            state = .publishing(target)
            return .send(
                encode([
                    ControlMessages.userControl(.streamBegin, target.streamID),
                    CommandReplies.onStatus(
                        streamID: target.streamID, level: "status", code: "NetStream.Publish.Start",
                        description: "\(Printable.text(target.key)) is now published", details: target.key),
                ]))
        case .refuse(let refusal):
            state = .closed
            return .refuse(
                encode([
                    CommandReplies.onStatus(
                        streamID: target.streamID, level: "error", code: refusal.code, description: refusal.description)
                ]),
                reason: "publish of \"\(Printable.text(target.key))\" to \"\(Printable.text(app))\" refused: \(refusal.description)")
        }
    }

    private func encode(_ messages: [RTMPMessage]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages { encoder.encode(message, into: &buffer) }
        return buffer
    }
}

/// Text from the network as it may be printed: at most 64 characters, no control characters.
enum Printable {
    static func text(_ raw: some StringProtocol) -> String {
        let cleaned = String(raw.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        return cleaned.count > 64 ? String(cleaned.prefix(64)) + "…" : cleaned
    }
}
