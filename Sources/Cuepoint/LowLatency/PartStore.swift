import CuepointHLS
import CuepointTime
import NIOConcurrencyHelpers

/// The LL-HLS side of a running recording, in memory: each rendition's recent parts (their
/// bytes) and playlist state, from which the built-in server renders low-latency playlists per
/// request and answers blocking playlist reloads (RFC 8216bis §6.2.5).
///
/// The pipeline thread writes (``segmentOpened``, ``partCompleted``, ``segmentsPublished``,
/// ``finish``); the server's tasks read and wait. A waiting request never holds a thread: it is a
/// continuation kept here, resumed by the pipeline thread when what it waits for is published, or
/// by a timer task when its deadline passes.
///
/// Retention (bis §6.2.2): the playlists list the parts of the segments that end within three
/// target durations of the live edge (and of the open segment); the bytes stay requestable for
/// three target durations more (six from the edge, counted in media time, which a live input
/// delivers in real time). The recording's files on disk never hold parts: a segment file is its
/// parts concatenated, written as they complete.
public final class PartStore: Sendable {
    /// One completed part.
    public struct Part: Sendable, Equatable {
        /// The media sequence number of its segment.
        public var sequence: Int64
        /// Its index in the segment, from 0.
        public var index: Int
        /// Its number, counted across segments from 1: its URI (`part_000042.m4s`).
        public var number: Int64
        public var uri: String
        public var durationMilliseconds: Int64
        public var independent: Bool
        public var bytes: [UInt8]
        /// When it was complete, in nanoseconds of the monotonic clock (`DispatchTime`).
        public var completedAt: UInt64
    }

    /// The segment being written in one rendition.
    struct OpenState: Sendable {
        var sequence: Int64
        var discontinuity: Bool
        var map: MediaInitializationSection?
        var programDateTime: WallClockTime
    }

    struct RenditionState: Sendable {
        var name: String
        var playlists: RenditionPlaylists
        /// Completed parts by media sequence number (closed segments and the open one).
        var parts: [Int64: [Part]] = [:]
        var open: OpenState?

        /// The sequence number of the last complete segment (one less than the first when none).
        var lastComplete: Int64 { playlists.firstSequence + Int64(playlists.segments.count) - 1 }
        /// The parts of the open segment so far.
        var openParts: [Part] { open.flatMap { parts[$0.sequence] } ?? [] }
        /// The number of the next part (the preload hint).
        var nextPartNumber: Int64 = 1
    }

    struct State: Sendable {
        var renditions: [RenditionState]
        var finished = false
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0
    }

    /// A request waiting for something to be published.
    struct Waiter: Sendable {
        var rendition: Int
        var isSatisfied: @Sendable (RenditionState, Bool) -> Bool
        var continuation: CheckedContinuation<Bool, Never>
    }

    /// PART-TARGET, in milliseconds.
    public let partTargetMilliseconds: Int64
    /// How long a blocking request or a preload-hinted part waits before 503: three target durations.
    public let blockTimeoutMilliseconds: Int64
    /// Target duration in seconds (EXT-X-TARGETDURATION of every rendition at the start).
    let targetSeconds: Int
    private let state: NIOLockedValueBox<State>

    /// - Parameters:
    ///   - renditions: each rendition's name and (empty) playlists, in the order of the master playlist.
    ///   - partTargetMilliseconds: `output.part`.
    ///   - blockTimeoutMilliseconds: how long requests may block; nil: three target durations.
    init(
        renditions: [(name: String, playlists: RenditionPlaylists)], partTargetMilliseconds: Int64,
        blockTimeoutMilliseconds: Int64? = nil
    ) {
        self.partTargetMilliseconds = partTargetMilliseconds
        let target = renditions.first?.playlists.targetDuration ?? 1
        targetSeconds = target
        self.blockTimeoutMilliseconds = blockTimeoutMilliseconds ?? Int64(3 * target) * 1000
        state = NIOLockedValueBox(State(renditions: renditions.map { RenditionState(name: $0.name, playlists: $0.playlists) }))
    }

    /// The renditions' names.
    public var renditionNames: [String] { state.withLockedValue { $0.renditions.map(\.name) } }

    /// When the newest part of `rendition` was complete, in nanoseconds of the monotonic clock
    /// (`DispatchTime`); nil before its first part. The server measures from it how soon a
    /// blocking request that waited for a part was answered.
    public func newestPartCompletedAt(rendition: String) -> UInt64? {
        state.withLockedValue { state in
            state.renditions.first { $0.name == rendition }?.parts.values.compactMap { $0.last?.completedAt }.max()
        }
    }

    // MARK: Publishing (the pipeline thread)

    /// A segment opened in `rendition`: its parts will follow.
    func segmentOpened(
        rendition: String, sequence: Int64, discontinuity: Bool, map: MediaInitializationSection?,
        programDateTime: WallClockTime
    ) {
        update { state in
            guard let index = state.renditions.firstIndex(where: { $0.name == rendition }) else { return }
            state.renditions[index].open = OpenState(
                sequence: sequence, discontinuity: discontinuity, map: map, programDateTime: programDateTime)
        }
    }

    /// A part of the open segment is complete.
    func partCompleted(rendition: String, _ part: Part) {
        update { state in
            guard let index = state.renditions.firstIndex(where: { $0.name == rendition }) else { return }
            state.renditions[index].parts[part.sequence, default: []].append(part)
            state.renditions[index].nextPartNumber = part.number + 1
        }
    }

    /// Segments closed and were published: the playlists as they are now. Drops the bytes of parts
    /// that are no longer requestable.
    func segmentsPublished(_ renditions: [(name: String, playlists: RenditionPlaylists)]) {
        update { state in
            for (name, playlists) in renditions {
                guard let index = state.renditions.firstIndex(where: { $0.name == name }) else { continue }
                state.renditions[index].playlists = playlists
                if state.renditions[index].open.map({ $0.sequence <= state.renditions[index].lastComplete }) == true {
                    state.renditions[index].open = nil
                }
                let keep = retainedSequences(state.renditions[index], targetDurations: 6)
                state.renditions[index].parts = state.renditions[index].parts.filter { keep($0.key) }
            }
        }
    }

    /// The recording ended: playlists are final (no parts, ENDLIST), parts are gone, and every
    /// waiting request is answered.
    func finish(_ renditions: [(name: String, playlists: RenditionPlaylists)]) {
        update { state in
            for (name, playlists) in renditions {
                guard let index = state.renditions.firstIndex(where: { $0.name == name }) else { continue }
                state.renditions[index].playlists = playlists
                state.renditions[index].open = nil
                state.renditions[index].parts = [:]
            }
            state.finished = true
        }
    }

    /// Applies a change and wakes the requests it satisfies (outside the lock).
    private func update(_ change: (inout State) -> Void) {
        let woken: [CheckedContinuation<Bool, Never>] = state.withLockedValue { state in
            change(&state)
            var ready: [CheckedContinuation<Bool, Never>] = []
            for (id, waiter) in state.waiters
            where waiter.isSatisfied(state.renditions[waiter.rendition], state.finished) {
                state.waiters[id] = nil
                ready.append(waiter.continuation)
            }
            return ready
        }
        for continuation in woken { continuation.resume(returning: true) }
    }

    /// Which sequence numbers' parts are kept: segments ending within `targetDurations` target
    /// durations of the live edge (the end of the last complete segment plus the open parts), and
    /// the open segment.
    private func retainedSequences(_ rendition: RenditionState, targetDurations: Int64) -> (Int64) -> Bool {
        let horizon = targetDurations * Int64(targetSeconds) * 1000
        let segments = rendition.playlists.segments
        let openMilliseconds = rendition.openParts.reduce(0) { $0 + $1.durationMilliseconds }
        var fromEnd = openMilliseconds
        var oldest = rendition.lastComplete + 1
        for segment in segments.reversed() {
            if fromEnd >= horizon { break }
            fromEnd += segment.durationMilliseconds
            oldest -= 1
        }
        return { $0 >= oldest }
    }

    // MARK: Serving (the server's tasks)

    /// What the store has for a playlist request.
    public enum PlaylistAnswer: Sendable, Equatable {
        /// The low-latency playlist's text.
        case playlist(String)
        /// The directives cannot be waited for under bis §6.2.5 (a segment or part too far ahead, a
        /// delta update the playlist does not offer); the text says which rule.
        case beyondRules(String)
        /// What was asked for was not published within the block timeout; the text says what.
        case notPublishedInTime(String)
        /// No such rendition, or it does not write this playlist (`output.playlists`).
        case noSuchPlaylist
    }

    /// What the store has for a part request.
    public enum PartAnswer: Sendable, Equatable {
        case part([UInt8])
        /// Not a part of this recording, no longer held, or not the next one.
        case noSuchPart
        /// The hinted part did not complete within the block timeout.
        case notCompletedInTime
    }

    /// The low-latency playlist `kind` of `rendition`, after waiting for what `directives` ask.
    ///
    /// Rules (bis §6.2.5.2): an `_HLS_msn` more than two beyond the last segment, or an `_HLS_part`
    /// more than the Advance Part Limit beyond the last part, is beyond the rules; a part index
    /// past a complete segment's last part means part 0 of the next segment; a request still
    /// unanswered after ``blockTimeoutMilliseconds`` was not published in time; with ENDLIST the
    /// directives are ignored. `_HLS_skip` on a playlist without CAN-SKIP-UNTIL is beyond the rules.
    /// (The server answers these 400, 503 and 400.)
    public func playlist(rendition: String, kind: PlaylistKind, directives: DeliveryDirectives) async
        -> PlaylistAnswer
    {
        guard
            let index = state.withLockedValue({ state in
                state.renditions.firstIndex { $0.name == rendition && $0.playlists.kinds.contains(kind) }
            })
        else { return .noSuchPlaylist }
        if directives.skip != nil {
            let canSkip = state.withLockedValue { state in
                LowLatencyPlaylist.serverControl(
                    kind: kind, rendition: state.renditions[index], targetSeconds: targetSeconds,
                    partTargetMilliseconds: partTargetMilliseconds
                ).canSkipUntilMilliseconds != nil
            }
            if !canSkip {
                return .beyondRules(
                    "_HLS_skip: this playlist offers no delta updates (no CAN-SKIP-UNTIL in its EXT-X-SERVER-CONTROL)")
            }
        }
        if let sequence = directives.sequence {
            let part = directives.part
            let limit = advancePartLimit
            let readiness = state.withLockedValue { state -> Readiness in
                state.finished
                    ? .ready : Self.readiness(sequence: sequence, part: part, in: state.renditions[index], limit: limit)
            }
            switch readiness {
            case .tooFar(let message): return .beyondRules(message)
            case .ready: break
            case .wait:
                let satisfied = await wait(rendition: index) { rendition, finished in
                    finished || Self.readiness(sequence: sequence, part: part, in: rendition, limit: limit) == .ready
                }
                guard satisfied else {
                    return .notPublishedInTime(
                        "_HLS_msn=\(sequence)\(part.map { "&_HLS_part=\($0)" } ?? ""): not published within "
                            + "\(blockTimeoutMilliseconds) ms (three target durations); the input may have stalled")
                }
            }
        }
        let text = state.withLockedValue { state in
            LowLatencyPlaylist.playlist(
                kind: kind, index: index, renditions: state.renditions, finished: state.finished,
                targetSeconds: targetSeconds, partTargetMilliseconds: partTargetMilliseconds, skip: directives.skip
            ).render()
        }
        return .playlist(text)
    }

    /// The bytes of the part at `uri` of `rendition`; the preload-hinted part is waited for.
    public func part(rendition: String, uri: String) async -> PartAnswer {
        guard let number = RecordingLayout.partNumber(uri),
            let index = state.withLockedValue({ $0.renditions.firstIndex { $0.name == rendition } })
        else { return .noSuchPart }
        switch state.withLockedValue({ Self.lookup(number, in: $0.renditions[index], finished: $0.finished) }) {
        case .found(let bytes): return .part(bytes)
        case .gone: return .noSuchPart
        case .next:
            let satisfied = await wait(rendition: index) { rendition, finished in
                Self.lookup(number, in: rendition, finished: finished) != .next
            }
            guard satisfied else { return .notCompletedInTime }
            if case .found(let bytes) = state.withLockedValue({
                Self.lookup(number, in: $0.renditions[index], finished: $0.finished)
            }) {
                return .part(bytes)
            }
            return .noSuchPart
        }
    }

    enum Lookup: Equatable {
        case found([UInt8])
        /// The preload-hinted part: the next one to be cut.
        case next
        case gone
    }

    static func lookup(_ number: Int64, in rendition: RenditionState, finished: Bool) -> Lookup {
        for parts in rendition.parts.values {
            if let part = parts.first(where: { $0.number == number }) { return .found(part.bytes) }
        }
        if finished { return .gone }
        return number == rendition.nextPartNumber ? .next : .gone
    }

    // MARK: Blocking

    enum Readiness: Equatable {
        case ready
        case wait
        case tooFar(String)
    }

    /// The Advance Part Limit of bis §6.2.5.2, in parts: three divided by PART-TARGET in seconds
    /// when it is below one second, else three.
    var advancePartLimit: Int64 {
        partTargetMilliseconds < 1000 ? (3000 + partTargetMilliseconds - 1) / partTargetMilliseconds : 3
    }

    /// Whether segment `sequence` (part `part`) of `rendition` is published.
    static func readiness(sequence: Int64, part: Int64?, in rendition: RenditionState, limit: Int64) -> Readiness {
        let last = rendition.lastComplete
        if sequence > last + 2 {
            return .tooFar("_HLS_msn=\(sequence) is more than two segments beyond the last one (\(last))")
        }
        guard let requestedPart = part else { return sequence <= last ? .ready : .wait }
        var sequence = sequence
        var part = requestedPart
        if sequence <= last {
            // A part past the last part of a complete segment is part 0 of the next one (bis §6.2.5.2).
            guard let parts = rendition.parts[sequence], part >= Int64(parts.count) else { return .ready }
            sequence += 1
            part = 0
            if sequence <= last { return .ready }
        }
        let openSequence = rendition.open?.sequence ?? last + 1
        let published = sequence == openSequence ? Int64(rendition.openParts.count) : 0
        let lastPart = sequence == openSequence ? published - 1 : -1
        if part - lastPart > limit {
            return .tooFar(
                "_HLS_part=\(part) of segment \(sequence) is more than the Advance Part Limit (\(limit) parts) "
                    + "beyond the last part")
        }
        return part < published ? .ready : .wait
    }

    /// Waits until `isSatisfied` holds after some update, or the block timeout passes.
    /// - Returns: false on timeout.
    private func wait(rendition: Int, until isSatisfied: @escaping @Sendable (RenditionState, Bool) -> Bool) async
        -> Bool
    {
        let timeout = blockTimeoutMilliseconds
        return await withCheckedContinuation { continuation in
            let id: UInt64? = state.withLockedValue { state in
                if isSatisfied(state.renditions[rendition], state.finished) { return nil }
                let id = state.nextWaiter
                state.nextWaiter += 1
                state.waiters[id] = Waiter(rendition: rendition, isSatisfied: isSatisfied, continuation: continuation)
                return id
            }
            guard let id else {
                continuation.resume(returning: true)
                return
            }
            Task { [self] in
                try? await Task.sleep(for: .milliseconds(timeout))
                let expired = state.withLockedValue { $0.waiters.removeValue(forKey: id) }
                expired?.continuation.resume(returning: false)
            }
        }
    }
}

extension PartStore {
    /// The store for a pipeline with `output.part`, its renditions' playlists as the run starts
    /// them; nil without parts (or with a part duration the run will refuse).
    convenience init?(spec: PipelineSpec) {
        guard let part = spec.output.partDuration, spec.output.partProblem == nil else { return nil }
        let kinds = spec.playlists
        self.init(
            renditions: spec.renditions.map {
                (
                    $0.name,
                    RenditionPlaylists(
                        kinds: kinds, windowSize: spec.output.liveWindow, finishAsVOD: !spec.input.isLive,
                        targetMilliseconds: spec.output.segmentDuration.milliseconds, firstSequence: 1)
                )
            }, partTargetMilliseconds: part.milliseconds)
    }
}
