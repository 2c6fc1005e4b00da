import NIOCore

/// An RTMP command (a `commandAMF0` message): its name, transaction id, command object and
/// further arguments, as in `connect`, `createStream` and `publish` (RTMP specification §7.2).
struct Command: Equatable {
    var name: String
    /// 0 when the sender expects no answer; otherwise the answer repeats it.
    var transactionID: Double
    /// An object (`connect`'s properties) or null.
    var commandObject: AMF0Value
    /// The values after the command object (`publish`: the stream name and the publish type).
    var arguments: [AMF0Value]

    init(name: String, transactionID: Double, commandObject: AMF0Value = .null, arguments: [AMF0Value] = []) {
        self.name = name
        self.transactionID = transactionID
        self.commandObject = commandObject
        self.arguments = arguments
    }

    /// Decodes the payload of a command message; an AMF3 command (type 17) starts with a
    /// format byte, 0 for the AMF0 that follows.
    init(_ message: RTMPMessage, decoder: AMF0Decoder) throws(RTMPProtocolError) {
        var payload = message.payload
        if message.type == .commandAMF3 {
            guard payload.readInteger(as: UInt8.self) == 0 else {
                throw RTMPProtocolError("an AMF3-encoded command; this server reads AMF0 commands only")
            }
        }
        let values: [AMF0Value]
        do {
            values = try decoder.decodeAll(payload)
        } catch {
            throw RTMPProtocolError("an undecodable command: \(error)")
        }
        guard case .string(let name)? = values.first else {
            throw RTMPProtocolError("a command message that does not start with the command's name")
        }
        self.name = name
        transactionID = values.count > 1 ? values[1].numberValue ?? 0 : 0
        commandObject = values.count > 2 ? values[2] : .null
        arguments = Array(values.dropFirst(3))
    }

    /// The command as a message on `chunkStreamID` and message stream `streamID`.
    func message(chunkStreamID: UInt32, streamID: UInt32 = 0) -> RTMPMessage {
        var payload = ByteBuffer()
        AMF0Encoder.encode([.string(name), .number(transactionID), commandObject] + arguments, into: &payload)
        return RTMPMessage(type: .commandAMF0, streamID: streamID, chunkStreamID: chunkStreamID, payload: payload)
    }

    /// The `index`th argument as a string, if it is one.
    func stringArgument(_ index: Int) -> String? {
        index < arguments.count ? arguments[index].stringValue : nil
    }
}

/// The replies the server sends to commands.
enum CommandReplies {
    /// The chunk stream the server's command replies use (as FFmpeg's and nginx-rtmp's servers).
    static let chunkStreamID: UInt32 = 3

    /// `_result` for `connect`: NetConnection.Connect.Success.
    static func connectSuccess(transactionID: Double) -> RTMPMessage {
        Command(
            name: "_result", transactionID: transactionID,
            commandObject: .object([
                AMF0Property("fmsVer", .string("FMS/3,0,1,123")),
                AMF0Property("capabilities", .number(31)),
                AMF0Property("mode", .number(1)),
            ]),
            arguments: [
                .object([
                    AMF0Property("level", .string("status")),
                    AMF0Property("code", .string("NetConnection.Connect.Success")),
                    AMF0Property("description", .string("Connection succeeded.")),
                    AMF0Property("objectEncoding", .number(0)),
                ])
            ]
        ).message(chunkStreamID: chunkStreamID)
    }

    /// `_result` with null and `value` (a stream id, or undefined for commands without an answer).
    static func result(transactionID: Double, _ value: AMF0Value) -> RTMPMessage {
        Command(name: "_result", transactionID: transactionID, arguments: [value]).message(chunkStreamID: chunkStreamID)
    }

    /// `_error` for a command the server refuses before any stream exists (a second `connect`).
    static func error(transactionID: Double, code: String, description: String) -> RTMPMessage {
        Command(
            name: "_error", transactionID: transactionID,
            arguments: [
                .object([
                    AMF0Property("level", .string("error")),
                    AMF0Property("code", .string(code)),
                    AMF0Property("description", .string(description)),
                ])
            ]
        ).message(chunkStreamID: chunkStreamID)
    }

    /// `onStatus` on message stream `streamID`: `level` is `status` or `error`.
    static func onStatus(streamID: UInt32, level: String, code: String, description: String, details: String? = nil)
        -> RTMPMessage
    {
        var information = [
            AMF0Property("level", .string(level)),
            AMF0Property("code", .string(code)),
            AMF0Property("description", .string(description)),
        ]
        if let details { information.append(AMF0Property("details", .string(details))) }
        return Command(name: "onStatus", transactionID: 0, arguments: [.object(information)])
            .message(chunkStreamID: 5, streamID: streamID)
    }
}
