import Cuepoint
import Logging

// MARK: - Streaming servers in front: publish and unpublish hooks
//
// A streaming server (nginx-rtmp, SRS, MediaMTX) that takes the publishers asks, when one says
// `publish`, whether its stream key is a show's; the registry answers yes only for a known key
// of a show that waits for its publisher, and then pulls the stream from the streaming server
// in-process (the show's input becomes the source URL, read by FFmpeg's RTMP client). A
// publisher that leaves (`unpublish`) drops the pull: the show waits for it to come back
// (reconnect_wait), and pulls again once a second until it does or the wait is over.

/// The registry's answer to a publish or unpublish hook.
public enum HookDecision: Sendable, Equatable {
    /// The key is show `id`'s; the streaming server may go on.
    case accepted(id: String)
    /// The publisher must be refused; the text says why (never the key itself).
    case refused(String)
}

extension ShowRegistry {
    /// A publisher arrived at a streaming server in front with `key`.
    ///
    /// - Parameter source: where the stream can be pulled from (`rtmp://127.0.0.1:1935/live/KEY`).
    public func publishHook(app: String, key: String, source: String) -> HookDecision {
        guard let show = show(withKey: key) else { return .refused("no show has this stream key") }
        let state = show.current
        if state.isOver { return .refused("show \"\(show.id)\" is \(state.name)") }
        let record = show.record
        guard record.takesPublisher else {
            return .refused("show \"\(show.id)\" reads the input its pipeline document names, not a publisher")
        }
        guard let scheme = InputSpec.scheme(of: source), ["rtmp", "rtmps", "srt"].contains(scheme) else {
            return .refused("the source URL must be rtmp://, rtmps:// or srt://")
        }
        if show.runner != nil {
            if record.hookSource == nil {
                return .refused("show \"\(show.id)\" takes its publisher on the server's RTMP port")
            }
            if state == .live { return .refused("show \"\(show.id)\" already has a publisher") }
            guard record.hookSource == source else {
                return .refused("show \"\(show.id)\" waits for its publisher at its first source")
            }
            return .accepted(id: show.id)  // its pull tries again once a second
        }
        let kept = show.update { $0.hookSource = source }
        keep(kept)
        restartIfReady(show)
        logger.info("show \(show.id): a publisher arrived at \(InputSpec.redacted(source)); pulling it")
        return .accepted(id: show.id)
    }

    /// The publisher of `key` left the streaming server in front: the show's pull drops and
    /// it waits for the publisher to come back.
    public func unpublishHook(app: String, key: String) -> HookDecision {
        guard let show = show(withKey: key) else { return .refused("no show has this stream key") }
        logger.info("show \(show.id): its publisher left the streaming server")
        return .accepted(id: show.id)
    }

    /// The show whose stream key is `key`, compared in constant time with every show's key.
    private func show(withKey key: String) -> Show? {
        let given = Array(key.utf8)
        var found: Show?
        for show in everyShow {
            if BearerToken.constantTimeEqual(given, Array(show.record.streamKey.utf8)) { found = show }
        }
        return found
    }
}
