/// Which video packets of a keyframe clip an exact clip re-encodes and which it copies: a
/// pure decision over the packets' timestamps, made before any decoding.
///
/// The rule, for a start time S:
///
/// 1. The clip's first frame (the *marker frame*) is the frame with the smallest pts ≥ S.
/// 2. If it is a keyframe that splices cleanly, every packet from it on is copied.
/// 3. Otherwise the packets are decoded from the last keyframe at or before it in decode
///    order, and the frames from it up to the *copy keyframe* are re-encoded; from the copy
///    keyframe on, packets are copied. The copy keyframe is the first clean keyframe after
///    the marker frame in decode order; without one, everything to the end is re-encoded.
/// 4. When only one frame would be re-encoded, the copy keyframe moves one keyframe further
///    on: the re-encoded IDR picture and the copied one would be two IDR access units in a
///    row, whose `idr_pic_id` must differ (H.264 7.4.3), and the source's cannot be chosen.
///
/// A keyframe *splices cleanly* when every packet before it in decode order shows before it
/// and every packet after it shows after it: no frame is lost or needs a reference across
/// the cut. The closed GOPs x264 writes by default always splice cleanly; the leading
/// pictures of an open GOP do not.
///
/// The re-encoded frames carry no B-frames, so their dts can be their pts moved back by a
/// constant `decodeDelay`, chosen so that their last dts comes before the copy keyframe's
/// (which, with B-frames in the source, lies before its pts).
struct ExactClipPlan: Equatable, Sendable {
    /// One video packet of the keyframe clip, in decode order; times in the stream's time base.
    struct Packet: Equatable, Sendable {
        var pts: Int64
        var dts: Int64
        var isKeyframe: Bool
    }

    /// The part that is decoded and re-encoded.
    struct Reencode: Equatable, Sendable {
        /// Decode-order index of the keyframe that decoding starts at.
        var decodeFromIndex: Int
        /// How many frames are re-encoded: those with pts from `startPts` up to `endPts`.
        var frameCount: Int
        /// The pts of the copy keyframe, where re-encoding stops; nil to re-encode to the end.
        var endPts: Int64?
        /// A re-encoded frame's dts is its pts minus this many ticks (≥ 0).
        var decodeDelay: Int64
    }

    /// Why no plan can be made.
    enum Problem: Error, Equatable {
        /// The clip has no video packets.
        case noVideoFrames
        /// The start lies after the clip's last frame (whose pts is given).
        case startAfterLastFrame(lastPts: Int64)
        /// No keyframe precedes the marker frame in decode order, so it cannot be decoded.
        case noKeyframeBeforeStart
    }

    /// The pts of the clip's first frame, which becomes 0 in the clip.
    var startPts: Int64
    /// The frames to re-encode; nil when the marker frame is a keyframe and all is copied.
    var reencode: Reencode?
    /// Decode-order index of the first copied video packet; nil when nothing is copied.
    var copyFromIndex: Int?

    /// Plans an exact clip.
    ///
    /// - Parameters:
    ///   - packets: every video packet of the keyframe clip, in decode order.
    ///   - start: the requested start, in the stream's time base, rounded up to a tick.
    /// - Throws: `Problem`.
    static func make(packets: [Packet], start: Int64) throws(Problem) -> ExactClipPlan {
        guard !packets.isEmpty else { throw .noVideoFrames }
        let candidates = packets.indices.filter { packets[$0].pts >= start }
        guard let marker = candidates.min(by: { packets[$0].pts < packets[$1].pts }) else {
            throw .startAfterLastFrame(lastPts: packets.map(\.pts).max()!)
        }
        let startPts = packets[marker].pts

        // Clean splice points: all earlier packets show before, all later ones after.
        var latestBefore = [Int64](repeating: .min, count: packets.count)
        var earliestAfter = [Int64](repeating: .max, count: packets.count)
        for index in packets.indices.dropFirst() {
            latestBefore[index] = max(latestBefore[index - 1], packets[index - 1].pts)
        }
        for index in packets.indices.dropLast().reversed() {
            earliestAfter[index] = min(earliestAfter[index + 1], packets[index + 1].pts)
        }
        func splicesCleanly(_ index: Int) -> Bool {
            packets[index].isKeyframe && latestBefore[index] < packets[index].pts
                && earliestAfter[index] > packets[index].pts
        }
        func nextCleanKeyframe(after index: Int) -> Int? {
            packets.indices[(index + 1)...].first(where: splicesCleanly)
        }

        if splicesCleanly(marker) { return ExactClipPlan(startPts: startPts, reencode: nil, copyFromIndex: marker) }
        guard let decodeFrom = packets[...marker].lastIndex(where: \.isKeyframe) else { throw .noKeyframeBeforeStart }

        func reencoded(upTo copyFrom: Int?) -> [Packet] {
            let end = copyFrom.map { packets[$0].pts }
            return packets[decodeFrom..<(copyFrom ?? packets.count)].filter { packet in
                packet.pts >= startPts && end.map { packet.pts < $0 } ?? true
            }
        }
        var copyFrom = nextCleanKeyframe(after: marker)
        if let copy = copyFrom, reencoded(upTo: copy).count == 1 { copyFrom = nextCleanKeyframe(after: copy) }
        let frames = reencoded(upTo: copyFrom)

        var decodeDelay: Int64 = 0
        if let copy = copyFrom, let lastPts = frames.map(\.pts).max() {
            let key = packets[copy]
            decodeDelay = max(key.pts - key.dts, lastPts - key.dts + 1, 0)
        }
        return ExactClipPlan(
            startPts: startPts,
            reencode: Reencode(
                decodeFromIndex: decodeFrom, frameCount: frames.count, endPts: copyFrom.map { packets[$0].pts },
                decodeDelay: decodeDelay),
            copyFromIndex: copyFrom)
    }
}
