import CuepointHLS
import CuepointTime

/// Where each product marker goes as the recording advances. Pure: the session asks it, at
/// each packet and each closed segment, what to put in-band and which date ranges to publish.
///
/// - **Playlists**: a marker's EXT-X-DATERANGE is published with the first segment that
///   closes after its start (the segment that holds its start, or, for a marker that arrives
///   late, the next one). A marker closed later gets a second tag with the same ID and its
///   DURATION, published with the next segment.
/// - **In-band**: a marker is due when the cut stream reaches its start; the session writes
///   its ID3 tag there (timed ID3 in TS, `emsg` in fMP4). A marker whose start had already
///   been written when it arrived is written at once and reported as late.
struct MarkerSchedule {
    struct Due: Equatable {
        var marker: PlacedMarker
        /// Whether its start had already passed when it arrived.
        var late: Bool
        /// A per-recording number for the `emsg` id field.
        var eventID: UInt32
    }

    let carriesDateRanges: Bool
    let carriesInBand: Bool
    /// Markers not yet in a published playlist, by start.
    private(set) var awaitingPlaylist: [PlacedMarker] = []
    /// Markers not yet written in-band, by start.
    private(set) var awaitingInBand: [PlacedMarker] = []
    /// Markers whose first tag has no duration, by ID, until a close.
    private(set) var open: [String: PlacedMarker] = [:]
    /// Closing tags for the next segment: (marker, duration in milliseconds).
    private var closings: [(PlacedMarker, Int64)] = []
    private var nextEventID: UInt32 = 1
    /// Recording time (ms) up to which the cut stream has been written.
    private(set) var writtenUntil: Int64 = -1

    init(carriesDateRanges: Bool, carriesInBand: Bool) {
        self.carriesDateRanges = carriesDateRanges
        self.carriesInBand = carriesInBand
    }

    /// Every marker the schedule still has to place, for boundary requests.
    var upcomingStarts: [Int64] { awaitingInBand.map(\.startMilliseconds) }

    mutating func add(_ marker: PlacedMarker) {
        if carriesDateRanges { insert(marker, into: &awaitingPlaylist) }
        if carriesInBand { insert(marker, into: &awaitingInBand) }
        if marker.durationMilliseconds == nil { open[marker.marker.id] = marker }
    }

    /// Takes over the markers of a recording resumed in a new process: the markers of its log
    /// (`markers.jsonl`, closes folded in), judged against the date ranges its playlists published
    /// before the restart. The log is written before a marker is acknowledged, the playlists only
    /// when a segment closes after it, so a crash can leave either ahead of the other:
    ///
    /// - a marker no published DATERANGE names is placed again: its tag goes with the next
    ///   segment, and in-band when its start lies after what was recorded (`recordedUntil`; the
    ///   segments holding earlier starts are already written);
    /// - a published marker the log keeps open stays open here, so a close adds its closing tag
    ///   (and the end of the recording closes it, as any open marker);
    /// - a published marker whose close was logged but never published gets its closing tag with
    ///   the next segment.
    ///
    /// - Parameters:
    ///   - logged: the log's markers, each with its latest close.
    ///   - published: the date ranges of the resumed playlists.
    ///   - recordedUntil: the recording's length before the restart, in milliseconds.
    /// - Returns: the markers placed again (they had not reached the playlists).
    mutating func resume(logged: [PlacedMarker], published: [DateRange], recordedUntil: Int64) -> [PlacedMarker] {
        var placedAgain: [PlacedMarker] = []
        for marker in logged {
            let id = MarkerText.quotedStringSafe(marker.id)
            let tags = published.filter { $0.id == id }
            if tags.isEmpty {
                if carriesInBand, marker.startMilliseconds >= recordedUntil { insert(marker, into: &awaitingInBand) }
                if marker.isOpen { open[marker.id] = marker }
                guard carriesDateRanges else { continue }  // (then no marker has a tag to find)
                insert(marker, into: &awaitingPlaylist)
                placedAgain.append(marker)
            } else if tags.allSatisfy({ $0.durationMilliseconds == nil }) {
                if let duration = marker.durationMilliseconds {
                    closings.append((marker, duration))
                } else {
                    open[marker.id] = marker
                }
            }
        }
        return placedAgain
    }

    /// Closes an open marker: a second tag with the same ID and its duration.
    ///
    /// - Returns: false when no open marker has this ID.
    mutating func close(id: String, durationMilliseconds: Int64) -> Bool {
        guard let marker = open.removeValue(forKey: id) else { return false }
        if let waiting = awaitingPlaylist.firstIndex(where: { $0.marker.id == id }) {
            // Not published yet: its first tag carries the duration.
            awaitingPlaylist[waiting].durationMilliseconds = durationMilliseconds
        } else if carriesDateRanges {
            closings.append((marker, durationMilliseconds))
        }
        return true
    }

    /// The markers due in-band once the cut stream reaches recording time `time` (ms).
    mutating func dueInBand(at time: Int64) -> [Due] {
        defer { writtenUntil = max(writtenUntil, time) }
        var due: [Due] = []
        while let first = awaitingInBand.first, first.startMilliseconds <= time {
            awaitingInBand.removeFirst()
            due.append(Due(marker: first, late: first.startMilliseconds < writtenUntil, eventID: nextEventID))
            nextEventID &+= 1
        }
        return due
    }

    /// The markers (and closings) to publish with a segment that ends at recording time `end`.
    mutating func forSegment(endingAt end: Int64) -> (opened: [PlacedMarker], closed: [(PlacedMarker, Int64)]) {
        var opened: [PlacedMarker] = []
        while let first = awaitingPlaylist.first, first.startMilliseconds < end {
            opened.append(awaitingPlaylist.removeFirst())
        }
        defer { closings = [] }
        return (opened, closings)
    }

    /// At the end of the recording: open markers end with it; markers that start after it are returned unplaced.
    mutating func finish(recordingEnd: Int64) -> (closed: [(PlacedMarker, Int64)], unplaced: [PlacedMarker]) {
        let unplaced = awaitingPlaylist.filter { $0.startMilliseconds >= recordingEnd }
        awaitingPlaylist.removeAll { $0.startMilliseconds >= recordingEnd }
        for (id, marker) in open.sorted(by: { $0.key < $1.key }) where marker.startMilliseconds < recordingEnd {
            _ = close(id: id, durationMilliseconds: recordingEnd - marker.startMilliseconds)
        }
        defer { closings = [] }
        return (closings, unplaced)
    }

    private func insert(_ marker: PlacedMarker, into list: inout [PlacedMarker]) {
        let index = list.firstIndex { $0.startMilliseconds > marker.startMilliseconds } ?? list.endIndex
        list.insert(marker, at: index)
    }
}
