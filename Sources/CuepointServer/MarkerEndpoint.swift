public import Cuepoint

/// What the marker API drives: something that places markers on a running recording, with the
/// validation and durable log of every other marker source.
///
/// ``PipelineRunner`` is the endpoint of a running pipeline (its conformance is below); the
/// server never sees more than this protocol, so it can be tested against any implementation,
/// including a real runner.
public protocol MarkerEndpoint: Sendable {
    /// Whether markers can be added now (the pipeline runs and has a `markers` section).
    var acceptsMarkers: Bool { get }
    /// The markers placed so far, by start.
    var markers: [PlacedMarker] { get }
    /// Validates, logs (durably) and places a marker.
    ///
    /// - Throws: `MarkerProblems`, each naming the field; a problem with field `id` is an id
    ///   already used; a problem without field or id means the pipeline is not running.
    func addMarker(_ marker: Marker) throws(MarkerProblems) -> PlacedMarker
    /// Closes an open marker at `end` (nil: now).
    ///
    /// - Throws: `MarkerProblems`: an unknown id, a marker already closed, or a bad end.
    func closeMarker(id: String, end: MarkerEnd?) throws(MarkerProblems) -> PlacedMarker
}

extension PipelineRunner: MarkerEndpoint {}
