/// Decides who may publish, and receives the sessions it accepted: the show server looks the
/// stream key up; a pipeline that listens waits for its own key.
///
/// The server calls ``authorize(app:key:peer:)`` when a publisher says `publish`, after it has
/// refused a key that is already live on this server (a second publisher for a live stream
/// never reaches the router). An accepted publisher gets NetStream.Publish.Start and its
/// session is handed to ``publishStarted(_:)``; a refused one gets an error status with the
/// refusal's code and description, and its connection is closed.
public protocol PublishRouter: Sendable {
    /// Whether a publisher may publish `key` to `app`.
    ///
    /// - Parameters:
    ///   - app: the application from `connect` (`live` in `rtmp://host/live/KEY`), without
    ///     trailing slashes.
    ///   - key: the publish name (the stream key), as sent.
    ///   - peer: the publisher's address, `IP:PORT`.
    func authorize(app: String, key: String, peer: String) async -> PublishDecision

    /// An accepted publish has started; `session` delivers its FLV bytes. Called on the
    /// connection's event loop: hand the session to a thread of your own, do not block.
    func publishStarted(_ session: PublishSession)
}

/// The router's answer to a `publish`.
public enum PublishDecision: Sendable, Equatable {
    case accept
    case refuse(PublishRefusal)
}

/// The status a refused publisher receives: an RTMP status code and a description that
/// clients print (FFmpeg logs "Server error: DESCRIPTION").
public struct PublishRefusal: Sendable, Equatable {
    /// `NetStream.Publish.BadName`, `NetStream.Publish.BadConnection`, …
    public var code: String
    public var description: String

    public init(code: String, description: String) {
        self.code = code
        self.description = description
    }

    /// The key (publish name) is not one this server takes: `NetStream.Publish.BadName`.
    public static func badName(_ description: String) -> PublishRefusal {
        PublishRefusal(code: "NetStream.Publish.BadName", description: description)
    }

    /// The stream is refused for another reason: `NetStream.Publish.BadConnection`.
    public static func badConnection(_ description: String) -> PublishRefusal {
        PublishRefusal(code: "NetStream.Publish.BadConnection", description: description)
    }
}
