/// A marker placed on a recording's timeline: what ``MarkerValidator`` makes of a ``Marker``,
/// what the log stores, and what playlists and segments carry.
public struct PlacedMarker: Sendable, Equatable {
    /// The marker, its times rewritten to the placed ones: ``Marker/start`` is
    /// `.offset(startMilliseconds)`, ``Marker/end`` is `.duration(durationMilliseconds)` or nil.
    public var marker: Marker
    /// Where the product appears, in milliseconds from the start of the recording (media time 0).
    public var startMilliseconds: Int64
    /// How long it stays, in milliseconds; nil while the marker is open.
    public var durationMilliseconds: Int64?

    /// Places `marker` as given, rewriting its times to match (see ``marker``).
    public init(marker: Marker, startMilliseconds: Int64, durationMilliseconds: Int64?) {
        var marker = marker
        marker.start = .offset(milliseconds: startMilliseconds)
        marker.end = durationMilliseconds.map { .duration(milliseconds: $0) }
        self.marker = marker
        self.startMilliseconds = startMilliseconds
        self.durationMilliseconds = durationMilliseconds
    }

    /// The marker's id.
    public var id: String { marker.id }

    /// Where the product disappears, in milliseconds from the start of the recording; nil while open.
    public var endMilliseconds: Int64? {
        durationMilliseconds.map { startMilliseconds + $0 }
    }

    /// Whether the marker still waits for its end.
    public var isOpen: Bool { durationMilliseconds == nil }

    /// The same marker closed after `durationMilliseconds`.
    public func closed(durationMilliseconds: Int64) -> PlacedMarker {
        PlacedMarker(marker: marker, startMilliseconds: startMilliseconds, durationMilliseconds: durationMilliseconds)
    }
}
