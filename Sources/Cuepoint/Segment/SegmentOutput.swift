import CuepointFFmpeg
import CuepointTime

/// One copy rendition's writing, as the ``RecordingSession`` drives it: segments opened and
/// closed at the boundaries the session decides, every carried packet written into the open
/// one, in-band marker tags, epochs.
///
/// Two implementations: ``RenditionOutput`` muxes demuxed packets with libavformat (MPEG-TS or
/// fMP4, any input), and ``TransportStreamOutput`` copies the transport packets of an MPEG-TS
/// input into MPEG-TS segments as they are (the transport stream copy path). Owned by the
/// pipeline's thread.
protocol SegmentOutput: AnyObject {
    /// The rendition's name (its folder).
    var name: String { get }
    /// The init section of the current epoch (fMP4); nil for MPEG-TS.
    var initURI: String? { get }
    /// The file name of segment `sequence`, relative to the rendition's folder.
    func segmentName(_ sequence: Int64) -> String
    /// Starts writing segment `sequence`.
    func openSegment(sequence: Int64) throws
    /// Writes one unit of input stream `inputStream` into the open segment.
    ///
    /// - Returns: ``Muxer/WriteOutcome/written``, or why it was dropped (the caller counts those).
    func write<Unit: MediaUnit>(_ unit: Unit, inputStream: Int) throws -> Muxer.WriteOutcome
    /// Puts an ID3 tag in-band at media time `time` (the cut stream's timeline).
    func writeTimedMetadata(_ tag: [UInt8], at time: MediaTime, eventID: UInt32) throws
    /// Completes the open segment and gives it its final name; returns its size in bytes.
    func closeSegment() throws -> Int64
    /// Completes the open LL-HLS part (fMP4) and returns its bytes; empty when parts do not apply.
    func cutPart() throws -> [UInt8]
    /// Ends the epoch (after its last segment closed).
    func endEpoch() throws
    /// Gives up the open segment after a failure.
    func abandon()
    /// A new input continues the recording; call between epochs.
    func replaceStreams(_ streams: [StreamInfo], metadataTimeBase: Rational)
    /// The session moved the current input's timestamps by `shift` (a restarted input continues
    /// after what was written): in-band tags are stamped on the input's own clock.
    func inputShifted(by shift: MediaTime)
}

extension SegmentOutput {
    func inputShifted(by shift: MediaTime) {}
}
