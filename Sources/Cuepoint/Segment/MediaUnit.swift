import CuepointFFmpeg

/// What the ``RecordingSession`` reads from each packet of the input, whichever path read it:
/// a libavformat ``Packet`` (demuxed, for the muxers of ``RenditionOutput``), or a
/// ``TransportStreamUnit`` (the transport packets of one PES packet, for the transport stream
/// copy path's ``TransportStreamOutput``). Both give the same timestamps and keyframe flags for
/// the same input, so the session cuts, times and marks them alike.
protocol MediaUnit: AnyObject {
    /// The index of the input stream (``StreamInfo/index``).
    var streamIndex: Int { get }
    /// Presentation and decoding time, in the stream's time base; nil when absent.
    var pts: Int64? { get set }
    var dts: Int64? { get set }
    /// In the stream's time base; 0 when unknown.
    var duration: Int64 { get }
    var isKeyframe: Bool { get }
    /// Whether the reader found damage (a lost transport packet inside it).
    var isCorrupt: Bool { get }
    /// Bytes read for it.
    var size: Int { get }
    /// The unit to give one more output: a muxer consumes a packet's payload, so a ``Packet``
    /// gets a new reference; units that are only read return themselves.
    func forAnotherOutput() throws -> Self
}

extension Packet: MediaUnit {
    func forAnotherOutput() throws -> Packet { try clone() }
}
