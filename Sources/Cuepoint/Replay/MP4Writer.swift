import CuepointFFmpeg
import CuepointTime
import Foundation

/// Writes a progressive (unfragmented) MP4 file by stream copy: `replay.mp4` and the clips.
///
/// `moov` is moved to the front (`movflags=+faststart`, a second pass over the finished file
/// done by FFmpeg's mov muxer) so browsers can start playing before the download ends. Chapters
/// are written by the mov muxer from the format context's chapters: a QuickTime chapter track
/// and a Nero `chpl` box (which holds at most 255; the chapter track holds them all).
/// ADTS AAC from MPEG-TS recordings goes through `aac_adtstoasc`.
final class MP4Writer {
    struct Chapter {
        var startMilliseconds: Int64
        var endMilliseconds: Int64
        var title: String
    }

    let path: String
    private let muxer: Muxer
    private var outputIndex: [ReplayPacket.Kind: Int] = [:]
    private var streams: [ReplayPacket.Kind: StreamInfo] = [:]
    private var adtsFilter: BitstreamFilter?
    private let filtered = Packet()
    /// Timestamps are moved by this many ticks per kind (a clip starts at 0).
    private var shifts: [ReplayPacket.Kind: Int64] = [:]
    private(set) var packetsWritten = 0
    /// Packets left out because the muxer would refuse their timestamps (see ``write(_:consuming:)``).
    private(set) var packetsDropped = 0

    /// Creates the file and writes its header.
    ///
    /// - Parameters:
    ///   - path: The MP4 file to write (replaced).
    ///   - video: The video stream to copy, if any.
    ///   - audio: The audio stream to copy, if any.
    ///   - start: Replay time that becomes 0 in this file (a clip's first keyframe).
    ///   - chapters: MP4 chapters, in milliseconds of this file's timeline.
    init(path: String, video: StreamInfo?, audio: StreamInfo?, start: MediaTime? = nil, chapters: [Chapter] = []) throws {
        self.path = path
        muxer = try Muxer(formatName: "mp4", path: path)
        for (kind, stream) in [(ReplayPacket.Kind.video, video), (.audio, audio)] {
            guard let stream else { continue }
            outputIndex[kind] = try muxer.addStream(copying: stream)
            streams[kind] = stream
            if let start { shifts[kind] = -start.rescaled(to: stream.timeBase).ticks }
        }
        for (number, chapter) in chapters.enumerated() {
            try muxer.addChapter(
                id: Int64(number + 1), start: chapter.startMilliseconds, end: chapter.endMilliseconds,
                timeBase: .milliseconds, title: chapter.title)
        }
        try muxer.writeHeader(options: ["movflags": "+faststart"])
    }

    /// Writes the packet.
    ///
    /// A packet whose decoding time does not come after the previous one of its kind is left out
    /// and counted in ``packetsDropped``. At a discontinuity of the recording (a reconnect, a
    /// resumed recording) each run of segments is laid at its replay time by its first video
    /// frame, but its audio may begin a little before that frame (the MPEG-TS muxer that made the
    /// input interleaves audio up to 0.7 s early), while the previous run's audio may end a
    /// little after its last frame: about 0.1 s of audio then overlaps. The MP4 muxer refuses such
    /// a packet (`EINVAL`, "non monotonically increasing dts"), and the whole replay failed.
    ///
    /// - Parameter consuming: Whether the caller's packet may be used up (its payload is gone
    ///   afterwards); otherwise a new reference to its data is written and the packet is left as
    ///   it was.
    func write(_ item: ReplayPacket, consuming: Bool = false) throws {
        guard let index = outputIndex[item.kind] else { return }
        let packet = consuming ? item.packet : try item.packet.clone()
        if let shift = shifts[item.kind] { packet.shiftTimestamps(by: shift) }
        packetsWritten += 1
        if item.kind == .audio, item.stream.codec == .aac, packet.size > 2,
            packet.withUnsafeBytes({ $0[0] == 0xFF && $0[1] & 0xF0 == 0xF0 })
        {
            let filter = try adtsFilter ?? BitstreamFilter(name: "aac_adtstoasc", stream: item.stream)
            adtsFilter = filter
            try filter.send(packet)
            while try filter.receive(into: filtered) {
                if !muxer.hasExtradata(stream: index), !filter.outputExtradata.isEmpty {
                    try muxer.setExtradata(filter.outputExtradata, stream: index)
                }
                count(try muxer.write(filtered, toStream: index))
            }
            return
        }
        count(try muxer.write(packet, toStream: index))
    }

    private func count(_ outcome: Muxer.WriteOutcome) {
        if case .droppedTimestamps = outcome { packetsDropped += 1 }
    }

    /// Writes the trailer (and moves `moov` to the front).
    func finish() throws { try muxer.finish() }

    /// Gives up on the file (after an error elsewhere) and removes it.
    func abandon() {
        muxer.abandon()
        try? FileManager.default.removeItem(atPath: path)
    }
}
