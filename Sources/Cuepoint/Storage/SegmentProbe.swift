import CuepointFFmpeg
import CuepointTime
import Foundation

/// Reads a published segment back with libavformat, to learn what its timestamps are as a player
/// sees them: the end of the last segment (a resumed recording continues after it) and the first
/// video timestamp (the `MPEGTS` of a subtitle segment's `X-TIMESTAMP-MAP`).
///
/// An fMP4 segment is read behind its init section (both copied into one scratch file, as is a
/// segment of a store that is not local), so its times are the presentation times the init
/// section's edit list gives, as any MP4 reader computes them. Blocking: call it on a pipeline's
/// own thread.
enum SegmentProbe {
    /// What a segment's packets say.
    struct Times: Equatable {
        /// The presentation time of the first video packet in the file (the keyframe the segment
        /// starts with), or of the first packet when there is no video; nil without packets.
        var start: MediaTime?
        /// The latest presentation end (pts + duration) of any packet, in milliseconds.
        var endMilliseconds: Int64?
    }

    /// Reads the segment at `segment` (with its init section for fMP4) from `store`; nil when it
    /// cannot be read.
    ///
    /// - Parameter wholeFile: read every packet (for ``Times/endMilliseconds``); false stops at the
    ///   first video packet.
    static func times(of segment: String, initSection: String?, in store: any Store, wholeFile: Bool) -> Times? {
        var path: String
        var scratch: String?
        if initSection == nil, let local = store.localPath(of: segment) {
            path = local
        } else {
            guard let body = try? store.read(segment) else { return nil }
            var joined: [UInt8] = []
            if let initSection {
                guard let head = try? store.read(initSection) else { return nil }
                joined = head
            }
            joined += body
            path = NSTemporaryDirectory() + "cuepoint-probe-\(UUID().uuidString).\(initSection == nil ? "ts" : "mp4")"
            guard FileManager.default.createFile(atPath: path, contents: Data(joined)) else { return nil }
            scratch = path
        }
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        guard let demuxer = try? InputOpener.open(url: path, format: nil, options: [:], interrupt: InterruptPolicy())
        else { return nil }
        let timeBases = Dictionary(uniqueKeysWithValues: demuxer.streams.map { ($0.index, $0.timeBase) })
        let video = demuxer.streams.first { $0.mediaType == .video }?.index
        let packet = Packet()
        var times = Times()
        var firstPacket: MediaTime?
        while (try? demuxer.read(into: packet)) == true {
            guard let base = timeBases[packet.streamIndex], let pts = packet.pts ?? packet.dts else { continue }
            let time = MediaTime(ticks: pts, timeBase: base)
            if firstPacket == nil { firstPacket = time }
            if times.start == nil, packet.streamIndex == video { times.start = time }
            let packetEnd = MediaTime(ticks: pts + max(0, packet.duration), timeBase: base).milliseconds
            times.endMilliseconds = max(times.endMilliseconds ?? packetEnd, packetEnd)
            if !wholeFile, times.start != nil { break }
        }
        if times.start == nil, video == nil { times.start = firstPacket }
        return times
    }
}
