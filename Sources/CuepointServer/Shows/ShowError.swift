import Cuepoint

/// Why the registry refused a request about a show; each case says what to do. The control
/// API turns them into HTTP answers (``ShowRoutes``), the command line into messages.
public enum ShowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pipeline document cannot be decoded: every problem, as `cuepoint validate` prints them.
    case invalidDocument([String])
    /// A show with this id exists already.
    case duplicate(String)
    /// No show has this id.
    case unknown(String)
    /// The show must be over (finished or failed) for this; it is in the state named.
    case notOver(String, ShowState)
    /// The show is over already.
    case over(String, ShowState)
    /// Writing the show's files failed.
    case storage(String)
    /// The server is stopping: it takes no new show.
    case stopping

    public var description: String {
        switch self {
        case .invalidDocument(let problems): problems.joined(separator: "\n")
        case .duplicate(let id): "a show \"\(id)\" exists already"
        case .unknown(let id): "no show \"\(EchoedText.value(id, limit: 64))\""
        case .notOver(let id, let state): "show \"\(id)\" is \(state.name); only a finished or failed show can be removed"
        case .over(let id, let state): "show \"\(id)\" is \(state.name) already"
        case .storage(let message): message
        case .stopping: "the server is stopping"
        }
    }

    /// What to do about it.
    public var fix: String {
        switch self {
        case .invalidDocument: "correct the pipeline document (docs/pipeline.md); `cuepoint validate FILE` checks one"
        case .duplicate: "choose another `name`, or DELETE the finished show first"
        case .unknown: "list the shows with GET /v1/shows"
        case .notOver(let id, _): "end it first: POST /v1/shows/\(id)/end"
        case .over: "create a new show"
        case .storage: "check the data directory's permissions and free space"
        case .stopping: "try again once the server has restarted"
        }
    }
}
