import CuepointFFmpeg
import CuepointTime
import Foundation
import NIOConcurrencyHelpers

// MARK: - Markers of a running pipeline
//
// The marker desk takes markers from the pipeline file's list, marker files (followed while a
// live input runs) and the API; the read loop hands what it accepted to the session between
// packets. A resumed recording's desk starts with the markers of its log.

extension PipelineRunner {
    /// - Parameter replicas: with publish targets, the store that uploads the log after each append.
    func openMarkerDesk(
        store: DirectoryStore, replicas: ReplicatingStore?, startDate: WallClockTime?, duration: MediaTime?,
        resumed: RecordingResume?, warnings: WarningCollector
    ) throws(CuepointError) -> MarkerDesk {
        let path = store.absolute(RecordingLayout.markerLog)
        // A new recording starts a new log; a resumed one appends to its own, and its markers stay
        // placed: listed, closable, their ids taken (a desk that knew only the ids answered 404 to
        // the close of a marker left open by the crash, and 409 to its re-add).
        var knownIDs: Set<String> = []
        var logged: [PlacedMarker] = []
        if resumed != nil {
            let read = MarkerLog.read(path: path)
            logged = read.markers
            knownIDs = Set(logged.map(\.id))
            for problem in read.problems { warnings.add("markers.jsonl of the resumed recording: \(problem)") }
        } else {
            try? store.remove([RecordingLayout.markerLog])
        }
        let log: MarkerLog
        do {
            var afterAppend: (@Sendable () -> Void)?
            if let replicas {
                afterAppend = { replicas.documentChanged(RecordingLayout.markerLog) }
            }
            log = try MarkerLog(path: path, afterAppend: afterAppend)
        } catch {
            throw CuepointError(subject: path, message: "cannot write the marker log: \(error)", fix: "check the output directory")
        }
        let now = options.clock.now()
        // Resumed: until the new epoch starts, "now" is the end of what was recorded.
        let zero = resumed.map { now.advanced(by: .milliseconds(-$0.recordedMilliseconds)) }
        let context = MarkerContext(
            recordingStart: startDate ?? zero ?? now, recordingDuration: duration, now: now, knownIDs: knownIDs)
        return MarkerDesk(log: log, context: context, clock: options.clock, placed: logged)
    }

    /// Reads the pipeline's marker sources: the inline list and each file (followed for new
    /// lines while a live input runs). Rejected markers are reported; the others are used.
    func loadMarkers(
        _ markersSpec: MarkersSpec, into desk: MarkerDesk, live: Bool, followers: inout [MarkerFileFollower],
        warnings: WarningCollector
    ) throws(CuepointError) {
        let inline = markersSpec.inline.map { (line: 0, marker: $0) }
        accept((inline, []), from: "markers.from.list", into: desk, warnings: warnings)
        for file in markersSpec.files {
            if live {
                let follower = MarkerFileFollower(path: file)
                accept(follower.poll(), from: file, into: desk, warnings: warnings)
                followers.append(follower)
                continue
            }
            guard FileManager.default.fileExists(atPath: file) else {
                throw CuepointError(subject: file, message: "no such marker file", fix: "check markers.from[].file")
            }
            accept(MarkerFile.load(path: file), from: file, into: desk, warnings: warnings)
        }
    }

    /// Hands parsed marker lines to the desk; every problem, parsing or validation, is a warning.
    func accept(
        _ parsed: (markers: [(line: Int, marker: Marker)], problems: [MarkerProblem]), from source: String,
        into desk: MarkerDesk, warnings: WarningCollector
    ) {
        let accepted: (placed: [PlacedMarker], problems: [MarkerProblem]) =
            parsed.markers.isEmpty ? ([], []) : desk.accept(parsed.markers, source: source)
        let rejected = parsed.problems + accepted.problems
        rejected.forEach { warnings.add("marker rejected: \($0)") }
        let label: PipelineMetrics.MarkerSource = source == "markers.from.list" ? .list : .file
        metrics.markersAccepted(accepted.placed.count, from: label)
        // One marker can have several problems: count the markers (lines, or ids in the list).
        metrics.markersRejected(Set(rejected.map { $0.line.map { "line \($0)" } ?? "id \($0.id ?? "?")" }).count, from: label)
    }

    /// After an output failure (a full disk): the markers acknowledged since the last packet go
    /// to the session first, so that the final playlists it salvages carry every accepted marker
    /// whose start lies inside the recording, and the log records the closes it decides.
    func salvage(_ session: RecordingSession) {
        let desk = markerDesk.withLockedValue { $0 }
        if let desk {
            for command in desk.drain() { apply(command, to: session) }
        }
        for close in session.salvage() {
            desk?.recordClose(id: close.id, durationMilliseconds: close.durationMilliseconds)
        }
    }

    func apply(_ command: MarkerDesk.Command, to session: RecordingSession) {
        switch command {
        case .add(let marker): session.add(marker)
        case .close(let id, let duration): _ = session.close(id: id, durationMilliseconds: duration)
        }
    }
}
