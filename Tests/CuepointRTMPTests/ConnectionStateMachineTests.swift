import CuepointTestSupport
import NIOCore
import Testing

@testable import CuepointRTMP

@Suite("Connection state machine", .ownThreads)
struct ConnectionStateMachineTests {
    /// Reads what the server sent back: chunks to messages (following its Set Chunk Size).
    struct Replies {
        var decoder = ChunkDecoder()

        mutating func messages(_ action: ConnectionStateMachine.Action) throws -> [RTMPMessage] {
            var bytes: ByteBuffer
            switch action {
            case .send(let sent), .refuse(let sent, _): bytes = sent
            default: return []
            }
            var messages: [RTMPMessage] = []
            while let message = try decoder.next(from: &bytes) { messages.append(message) }
            return messages
        }

        mutating func commands(_ action: ConnectionStateMachine.Action) throws -> [Command] {
            try messages(action).filter { $0.type == .commandAMF0 }.map { try Command($0, decoder: AMF0Decoder()) }
        }
    }

    static func command(_ name: String, _ transaction: Double, _ object: AMF0Value = .null, _ arguments: [AMF0Value] = [], stream: UInt32 = 0)
        -> RTMPMessage
    {
        Command(name: name, transactionID: transaction, commandObject: object, arguments: arguments)
            .message(chunkStreamID: 3, streamID: stream)
    }

    static let connect = command("connect", 1, .object([AMF0Property("app", .string("live/")), AMF0Property("tcUrl", .string("rtmp://h/live"))]))

    /// connect, createStream and publish KEY, as FFmpeg sends them.
    static func connectAndPublish(_ machine: inout ConnectionStateMachine, _ replies: inout Replies, key: String = "KEY") throws
        -> ConnectionStateMachine.Action
    {
        _ = try replies.messages(try machine.receive(connect))
        _ = try replies.messages(try machine.receive(command("releaseStream", 2, .null, [.string(key)])))
        _ = try replies.messages(try machine.receive(command("FCPublish", 3, .null, [.string(key)])))
        _ = try replies.messages(try machine.receive(command("createStream", 4)))
        return try machine.receive(command("publish", 5, .null, [.string(key), .string("live")], stream: 1))
    }

    @Test("connect: window, peer bandwidth, chunk size, then _result NetConnection.Connect.Success")
    func connect() throws {
        var machine = ConnectionStateMachine()
        var replies = Replies()
        let messages = try replies.messages(try machine.receive(Self.connect))
        #expect(messages.map(\.type) == [.windowAcknowledgementSize, .setPeerBandwidth, .setChunkSize, .commandAMF0])
        #expect(replies.decoder.chunkSize == 4096)
        let result = try Command(messages[3], decoder: AMF0Decoder())
        #expect(result.name == "_result" && result.transactionID == 1)
        #expect(result.arguments.first?["code"] == .string("NetConnection.Connect.Success"))
        #expect(machine.app == "live")
    }

    @Test("createStream answers a stream id; publish asks the router; accept starts the stream")
    func publish() throws {
        var machine = ConnectionStateMachine()
        var replies = Replies()
        _ = try replies.messages(try machine.receive(Self.connect))
        let created = try replies.commands(try machine.receive(Self.command("createStream", 4)))
        #expect(created == [Command(name: "_result", transactionID: 4, arguments: [.number(1)])])
        let asked = try machine.receive(Self.command("publish", 5, .null, [.string("KEY"), .string("live")], stream: 1))
        guard case .authorize(let app, let key) = asked else { Issue.record("no authorization asked: \(asked)"); return }
        #expect(app == "live" && key == "KEY")
        let started = try replies.messages(machine.authorized(.accept))
        #expect(started.map(\.type) == [.userControl, .commandAMF0])
        #expect(started[0].payload.bytes == [0, 0, 0, 0, 0, 1])  // Stream Begin, stream 1
        let status = try Command(started[1], decoder: AMF0Decoder())
        #expect(status.name == "onStatus" && started[1].streamID == 1)
        #expect(status.arguments.first?["code"] == .string("NetStream.Publish.Start"))
    }

    @Test("a refused publish gets an error status with the router's code and description")
    func refused() throws {
        var machine = ConnectionStateMachine()
        var replies = Replies()
        _ = try Self.connectAndPublish(&machine, &replies)
        let action = machine.authorized(.refuse(.badName("no show has this stream key")))
        guard case .refuse = action else { Issue.record("not refused: \(action)"); return }
        let status = try #require(try replies.commands(action).first)
        #expect(status.arguments.first?["level"] == .string("error"))
        #expect(status.arguments.first?["code"] == .string("NetStream.Publish.BadName"))
        #expect(status.arguments.first?["description"] == .string("no show has this stream key"))
        #expect(machine.state == .closed)
    }

    @Test("play is refused with NetStream.Play.Failed")
    func play() throws {
        var machine = ConnectionStateMachine()
        var replies = Replies()
        _ = try replies.messages(try machine.receive(Self.connect))
        let action = try machine.receive(Self.command("play", 4, .null, [.string("KEY")], stream: 1))
        guard case .refuse(_, let reason) = action else { Issue.record("play not refused: \(action)"); return }
        #expect(reason.contains("asked to play \"KEY\""))
        #expect(try replies.commands(action).first?.arguments.first?["code"] == .string("NetStream.Play.Failed"))
    }

    @Test("publish without a key, before connect, or on a stream nobody created is refused")
    func badPublishes() throws {
        var early = ConnectionStateMachine()
        guard case .refuse(_, "publish before connect") = try early.receive(Self.command("publish", 5, .null, [.string("K")], stream: 1))
        else { Issue.record("publish before connect accepted"); return }

        var noKey = ConnectionStateMachine()
        var replies = Replies()
        let action = try Self.connectAndPublish(&noKey, &replies, key: "")
        guard case .refuse(_, "publish without a stream key") = action else { Issue.record("empty key: \(action)"); return }

        var unknown = ConnectionStateMachine()
        _ = try unknown.receive(Self.connect)
        let stray = try unknown.receive(Self.command("publish", 5, .null, [.string("K")], stream: 7))
        guard case .refuse(_, "publish on an unknown stream 7") = stray else { Issue.record("stray stream: \(stray)"); return }
    }

    @Test("commands before connect are a protocol error")
    func beforeConnect() {
        var machine = ConnectionStateMachine()
        #expect(throws: RTMPProtocolError("createStream before connect")) {
            try machine.receive(Self.command("createStream", 2))
        }
    }

    @Test("media becomes FLV: the header from onMetaData, @setDataFrame stripped; deleteStream unpublishes")
    func media() throws {
        var machine = ConnectionStateMachine()
        var replies = Replies()
        _ = try Self.connectAndPublish(&machine, &replies)
        _ = machine.authorized(.accept)
        var data = ByteBuffer()
        AMF0Encoder.encode(
            [.string("@setDataFrame"), .string("onMetaData"), .ecmaArray([AMF0Property("videocodecid", .number(7))])],
            into: &data)
        let metadata = RTMPMessage(type: .dataAMF0, streamID: 1, chunkStreamID: 4, payload: data)
        var first: [FLVTag] = []
        guard case .none = try machine.receive(metadata, media: &first) else { Issue.record("metadata: an action"); return }
        #expect(first.count == 2)
        #expect(FLVTagTests.read([first[0]]) == Hex.bytes("464C5601 01 00000009 00000000"))
        var expectedScript = ByteBuffer()
        AMF0Encoder.encode([.string("onMetaData"), .ecmaArray([AMF0Property("videocodecid", .number(7))])], into: &expectedScript)
        #expect(first[1].type == .script && first[1].payload == expectedScript)

        let frame = RTMPMessage(type: .video, streamID: 1, timestamp: 33, chunkStreamID: 6, payload: ByteBuffer(bytes: [0x17, 1]))
        var second: [FLVTag] = []
        _ = try machine.receive(frame, media: &second)
        #expect(second.count == 1 && second[0].timestamp == 33 && second[0].type == .video)

        var none: [FLVTag] = []
        let otherStream = RTMPMessage(type: .video, streamID: 2, chunkStreamID: 6, payload: ByteBuffer(bytes: [0x17]))
        _ = try machine.receive(otherStream, media: &none)
        #expect(none.isEmpty, "media of another stream is not delivered")

        guard case .unpublish = try machine.receive(Self.command("deleteStream", 6, .null, [.number(1)]))
        else { Issue.record("deleteStream did not unpublish"); return }
        _ = try machine.receive(frame, media: &none)
        #expect(none.isEmpty, "media after deleteStream is not delivered")
    }

    @Test("acknowledgements follow the peer's window; pings are answered")
    func acknowledgements() throws {
        var machine = ConnectionStateMachine()
        var replies = Replies()
        #expect(machine.bytesReceived(10_000) == nil)  // no window announced yet
        let window = RTMPMessage(type: .windowAcknowledgementSize, chunkStreamID: 2, payload: ByteBuffer(bytes: [0, 0, 0x10, 0]))
        _ = try machine.receive(window)
        #expect(machine.bytesReceived(100) != nil)  // 10 100 bytes received, window 4096
        #expect(machine.bytesReceived(4000) == nil)
        let acknowledgement = machine.bytesReceived(96)
        let ack = try #require(acknowledgement)
        let messages = try replies.messages(.send(ack))
        #expect(messages.map(\.type) == [.acknowledgement])
        #expect(messages[0].payload.bytes == [0, 0, 0x37, 0x74])  // 10 100 + 4 096 = 14 196

        let ping = RTMPMessage(type: .userControl, chunkStreamID: 2, payload: ByteBuffer(bytes: [0, 6, 0, 0, 1, 2]))
        let pong = try replies.messages(try machine.receive(ping))
        #expect(pong.first?.payload.bytes == [0, 7, 0, 0, 1, 2])
    }
}

extension ConnectionStateMachine {
    /// ``receive(_:media:)`` for a message that must carry no media for the session.
    mutating func receive(_ message: RTMPMessage, sourceLocation: SourceLocation = #_sourceLocation) throws -> Action {
        var media: [FLVTag] = []
        let action = try receive(message, media: &media)
        #expect(media.isEmpty, sourceLocation: sourceLocation)
        return action
    }
}
