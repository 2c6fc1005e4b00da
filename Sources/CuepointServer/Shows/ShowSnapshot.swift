import Cuepoint
import Foundation

/// What the control API says about a show at one moment (`GET /v1/shows/{id}`), as a value.
public struct ShowSnapshot: Sendable, Equatable {
    public var id: String
    public var state: ShowState
    public var streamKey: String
    public var markerToken: String
    public var createdAt: String
    /// `api` or `directory`.
    public var source: String
    /// How the show's media arrives: `rtmp_port` (the server's RTMP port), `hook` (pulled from a
    /// streaming server that called a publish hook) or `pipeline` (the document's own input).
    public var inputKind: String
    /// The input as it may be printed (stream keys and passphrases hidden); nil while a hook
    /// show has no source yet.
    public var inputURL: String?
    /// The renditions' names, in the document's order.
    public var renditions: [String]
    /// Segments completed per rendition, so far.
    public var segments: Int
    /// Media recorded so far, in milliseconds.
    public var mediaMilliseconds: Int64
    /// Markers accepted so far.
    public var markers: Int
    /// How far the live recording is behind the wall clock, in milliseconds; nil when not live.
    public var lagMilliseconds: Int64?
    /// Whether the document asks for a replay package.
    public var hasReplay: Bool
    /// The last warnings of the show's run, oldest first.
    public var warnings: [String]
}

extension ShowRegistry {
    func snapshot(_ show: Show) -> ShowSnapshot {
        let record = show.record
        let state = show.current
        let runner = show.runner
        let kind = record.takesPublisher ? (record.hookSource != nil || listener == nil ? "hook" : "rtmp_port") : "pipeline"
        let inputURL: String? =
            if kind == "hook" { record.hookSource.map(InputSpec.redacted) } else { show.spec.input.displayURL }
        return ShowSnapshot(
            id: show.id, state: state, streamKey: record.streamKey, markerToken: record.markerToken,
            createdAt: record.createdAt, source: record.source, inputKind: kind, inputURL: inputURL,
            renditions: show.spec.renditions.map(\.name), segments: show.progress?.segments ?? 0,
            mediaMilliseconds: show.progress?.mediaMilliseconds ?? 0, markers: runner?.markers.count ?? 0,
            lagMilliseconds: state == .live ? runner?.metrics.lagMilliseconds : nil, hasReplay: show.spec.replay != nil,
            warnings: show.warnings)
    }
}
