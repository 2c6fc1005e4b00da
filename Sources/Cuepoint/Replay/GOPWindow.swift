import CuepointFFmpeg
import CuepointTime

/// The packets of the group of pictures being read, kept (as references, no copies of the
/// data) until the next keyframe shows where the group ends.
///
/// A clip or a thumbnail that starts at time `t` needs the group holding `t`, from its keyframe
/// on; which keyframe that is, is known only when the next one arrives. Audio packets whose
/// time is at or after the group's keyframe are kept even when they were read before it
/// (muxers interleave audio a little ahead of video).
struct GOPWindow {
    struct Item {
        var packet: Packet
        var kind: ReplayPacket.Kind
        var stream: StreamInfo
        var time: MediaTime?
    }

    /// The time of the keyframe the window starts with; nil before the first.
    private(set) var keyframeTime: MediaTime?
    private(set) var items: [Item] = []

    /// Starts a new group at keyframe time `time`: keeps only audio at or after it.
    mutating func startGroup(at time: MediaTime) {
        keyframeTime = time
        items.removeAll { item in item.kind != .audio || (item.time.map { $0 < time } ?? true) }
    }

    mutating func append(_ item: ReplayPacket) throws {
        items.append(Item(packet: try item.packet.clone(), kind: item.kind, stream: item.stream, time: item.replayTime))
    }

    /// The group as replay packets: the keyframe kind from the keyframe on, the other kind at or after it.
    func packets(keyKind: ReplayPacket.Kind) -> [ReplayPacket] {
        guard let keyframeTime else { return [] }
        return items.compactMap { item in
            if item.kind != keyKind, let time = item.time, time < keyframeTime { return nil }
            return ReplayPacket(
                packet: item.packet, kind: item.kind, stream: item.stream, replayTime: item.time, entryIndex: 0,
                offsetInSegment: nil)
        }
    }
}
