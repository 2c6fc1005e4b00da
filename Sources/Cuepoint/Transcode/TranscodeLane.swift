import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// One transcoded rendition's way from encoded packets to segment files, on the rendition's
/// encoding thread: interleave video and audio by decoding time, cut where the session cut,
/// mux, and hand each closed segment to the ``SegmentBarrier``.
///
/// ## Where it cuts
///
/// The session decides every segment boundary (on the source's keyframes when copy
/// renditions are present, on decoded frames otherwise) and *announces* it before the frame
/// at that time reaches any encoder; the encoders make exactly that frame an IDR picture. The
/// lane then starts segment `sequence` at the first keyframe whose presentation time is at
/// or after the announced time; an audio-only rendition at the first audio packet at or
/// after it. Keyframes without an announcement (x264's own, should a segment outgrow its
/// keyframe interval) are kept inside the segment. Should a rendition reach a boundary after
/// the next one was also announced (a frame the encoder dropped), its segments would no
/// longer line up with the others': that stops the rendition with an error rather than
/// publishing misaligned playlists.
///
/// ## Interleaving
///
/// The video encoder returns packets tens of frames later than the audio encoder, so the two
/// streams arrive out of step. Packets wait in a queue per stream and leave in decoding-time
/// order (the smaller `dts` first when both queues hold one), which is the order the copy
/// path gets from a demuxer.
///
/// Thread use: `announce`, `enqueueTimedMetadata` and `finishEpoch` (after the encoder's
/// thread ended) from the session's thread; `receive` on the encoding thread. The
/// announcements and tags cross under a lock; everything else belongs to one thread at a time.
final class TranscodeLane: @unchecked Sendable {
    static let videoKey = 0
    static let audioKey = 1
    /// Packets that may wait for the other stream (about 10 s of video and audio).
    static let interleaveLimit = 768

    let name: String
    /// The rendition's position in the publisher (and in the barrier).
    let index: Int
    let output: RenditionOutput
    let hasVideo: Bool
    let hasAudio: Bool
    private let barrier: SegmentBarrier
    /// The source's video frame rate, for FRAME-RATE.
    private let frameRate: Rational?

    private let lock = NSLock()
    private var boundaries: [(time: MediaTime, sequence: Int64)] = []
    /// How far the session has decided boundaries: every boundary at or before it is announced.
    private var decidedUpTo: MediaTime?
    /// An audio-only lane's packets waiting for the session to decide their time (see `advance`).
    private var undecided: [RenditionEncoder.EncodedPacket] = []
    private var tags: [(tag: [UInt8], time: MediaTime, eventID: UInt32)] = []

    private var videoQueue: [RenditionEncoder.EncodedPacket] = []
    /// The latest video packet, held until the next one gives its duration (see `receive`).
    private var heldVideo: RenditionEncoder.EncodedPacket?
    private var audioQueue: [RenditionEncoder.EncodedPacket] = []
    private var openSequence: Int64?
    private var description: VariantDescription
    private var descriptionChanged = true

    init(
        name: String, index: Int, output: RenditionOutput, hasVideo: Bool, hasAudio: Bool, frameRate: Rational?,
        barrier: SegmentBarrier
    ) {
        self.name = name
        self.index = index
        self.output = output
        self.hasVideo = hasVideo
        self.hasAudio = hasAudio
        self.frameRate = frameRate
        self.barrier = barrier
        description = VariantDescription(streams: [])
    }

    /// The description the multivariant playlist starts with, before the first keyframe.
    var initialDescription: VariantDescription { description }

    /// Uses the encoders of a new epoch (before its first packet).
    func begin(video: Encoder?, audio: Encoder?) {
        output.encoders = [(Self.videoKey, video), (Self.audioKey, audio)].compactMap { key, encoder in
            encoder.map { (key, $0) }
        }
        var codecs: [String] = []
        if let video {
            // fMP4 (global header): the encoder's SPS is known now; MPEG-TS: from the first keyframe.
            if let codec = CodecString.h264(configuration: video.extradata) { codecs.append(codec) }
            description.resolution = Resolution(width: video.width, height: video.height)
            description.frameRate = frameRate
        }
        if audio != nil { codecs.append("mp4a.40.2") }
        description.codecs = codecs
        description.unknownCodecs = []
        descriptionChanged = true
    }

    /// The session cut at `time`: segment `sequence` starts at the first keyframe at or after it.
    func announce(boundary time: MediaTime, sequence: Int64) {
        lock.withLock { boundaries.append((time, sequence)) }
    }

    /// The session has decided every boundary up to `time` (it has cut-checked the input up to
    /// there). An audio-only lane cuts at the first audio packet at or after a boundary, and audio
    /// is encoded ahead of the video that decides the boundaries, so it holds its packets until
    /// their time is decided: its cuts then never depend on how the threads were scheduled.
    func advance(to time: MediaTime) {
        guard !hasVideo else { return }
        lock.withLock { decidedUpTo = decidedUpTo.map { max($0, time) } ?? time }
    }

    /// An ID3 tag to put in-band at `time` (written with the first packet of the cut stream at or after it).
    func enqueueTimedMetadata(_ tag: [UInt8], at time: MediaTime, eventID: UInt32) {
        lock.withLock { tags.append((tag, time, eventID)) }
    }

    /// One packet from the rendition's encoders (on the encoding thread).
    func receive(_ packet: RenditionEncoder.EncodedPacket) throws {
        switch packet.mediaType {
        case .video:
            // libx264 gives its packets no duration. The MP4 muxer needs the last sample's duration
            // when it closes a fragment (and takes the next fragment's start from it): each packet
            // waits for the next one, whose decoding time gives it.
            if let held = heldVideo, let dts = packet.packet.dts, let heldDTS = held.packet.dts, dts > heldDTS {
                held.packet.duration = dts - heldDTS
            }
            if let held = heldVideo { videoQueue.append(held) }
            heldVideo = packet
        default: audioQueue.append(packet)
        }
        while let next = nextInterleaved(draining: false) {
            guard hasVideo else {
                undecided.append(next)
                continue
            }
            try place(next)
        }
        try placeDecided()
    }

    /// Places the held audio packets whose time the session has decided.
    private func placeDecided(all: Bool = false) throws {
        guard !undecided.isEmpty else { return }
        let limit = lock.withLock { decidedUpTo }
        var count = 0
        for packet in undecided {
            guard all || limit.map({ presentationTime(of: packet) <= $0 }) == true else { break }
            try place(packet)
            count += 1
        }
        undecided.removeFirst(count)
    }

    /// After the epoch's encoders finished: writes what waits, closes the last segment and
    /// ends the epoch's muxer.
    func finishEpoch() throws {
        if let held = heldVideo {
            if held.packet.duration <= 0, let rate = frameRate, rate.isValid {
                held.packet.duration = MediaTime(ticks: rate.denominator, timeBase: Rational(1, rate.numerator))
                    .rescaled(to: held.timeBase).ticks
            }
            videoQueue.append(held)
            heldVideo = nil
        }
        while let next = nextInterleaved(draining: true) {
            if hasVideo { try place(next) } else { undecided.append(next) }
        }
        try placeDecided(all: true)
        if openSequence != nil { try closeSegment() }
        try output.endEpoch()
        lock.withLock {
            boundaries.removeAll()
            tags.removeAll()
            decidedUpTo = nil
        }
    }

    /// Gives up after a failure: the open segment's temporary file is removed.
    func abandon() {
        videoQueue.removeAll()
        heldVideo = nil
        audioQueue.removeAll()
        undecided.removeAll()
        openSequence = nil
        output.abandon()
    }

    private func nextInterleaved(draining: Bool) -> RenditionEncoder.EncodedPacket? {
        let bothStreams = hasVideo && hasAudio
        // A stream that stops (an audio gap in a live input) must not hold the other back for ever.
        let stalled = videoQueue.count + audioQueue.count > Self.interleaveLimit
        if bothStreams && !draining && !stalled {
            guard let video = videoQueue.first, let audio = audioQueue.first else { return nil }
            return decodingTime(of: audio) < decodingTime(of: video) ? audioQueue.removeFirst() : videoQueue.removeFirst()
        }
        switch (videoQueue.first, audioQueue.first) {
        case (nil, nil): return nil
        case (.some, nil): return videoQueue.removeFirst()
        case (nil, .some): return audioQueue.removeFirst()
        case (.some(let video), .some(let audio)):
            return decodingTime(of: audio) < decodingTime(of: video) ? audioQueue.removeFirst() : videoQueue.removeFirst()
        }
    }

    private func decodingTime(of packet: RenditionEncoder.EncodedPacket) -> MediaTime {
        MediaTime(ticks: packet.packet.dts ?? packet.packet.pts ?? 0, timeBase: packet.timeBase)
    }

    private func presentationTime(of packet: RenditionEncoder.EncodedPacket) -> MediaTime {
        MediaTime(ticks: packet.packet.pts ?? packet.packet.dts ?? 0, timeBase: packet.timeBase)
    }

    private func place(_ encoded: RenditionEncoder.EncodedPacket) throws {
        let packet = encoded.packet
        let isVideo = encoded.mediaType == .video
        let isCutStream = isVideo || !hasVideo
        let time = presentationTime(of: encoded)
        if isCutStream {
            if isVideo && packet.isKeyframe && descriptionChanged, description.codecs.first?.hasPrefix("avc1") != true,
                let codec = CodecString.h264(configuration: packet.bytes)
            {
                description.codecs.insert(codec, at: 0)
            }
            if !isVideo || packet.isKeyframe {
                let due: [(time: MediaTime, sequence: Int64)] = lock.withLock {
                    let count = boundaries.prefix { $0.time <= time }.count
                    defer { boundaries.removeFirst(count) }
                    return Array(boundaries.prefix(count))
                }
                if let last = due.last {
                    if let open = openSequence {
                        guard due.count == 1 else {
                            throw CuepointError(
                                subject: "rendition \(name)",
                                message: "lost segment alignment: segment \(open) reached \(SecondsText.format(time)) "
                                    + "past \(due.count) boundaries (its encoder dropped the frame a segment starts on)")
                        }
                        try closeSegment()
                    }
                    try output.openSegment(sequence: last.sequence)
                    openSequence = last.sequence
                }
            }
            guard openSequence != nil else { return }  // before the first segment
            try writeDueTags(upTo: time)
        } else if openSequence == nil {
            return  // audio before the first video keyframe of the epoch, as the copy path drops it
        }
        do {
            try output.write(packet, inputStream: isVideo ? Self.videoKey : Self.audioKey)
        } catch let error as FFmpegError where error.code == .invalidData {
            // The muxer refused a packet (a non-increasing timestamp): keep the stream going.
            return
        }
    }

    private func writeDueTags(upTo time: MediaTime) throws {
        let due: [(tag: [UInt8], time: MediaTime, eventID: UInt32)] = lock.withLock {
            guard !tags.isEmpty else { return [] }  // the usual case, on every packet
            let ready = tags.filter { $0.time <= time }
            tags.removeAll { $0.time <= time }
            return ready
        }
        for tag in due { try output.writeTimedMetadata(tag.tag, at: tag.time, eventID: tag.eventID) }
    }

    private func closeSegment() throws {
        guard let sequence = openSequence else { return }
        let bytes = try output.closeSegment()
        openSequence = nil
        let file = SegmentBarrier.File(
            uri: output.segmentName(sequence), byteCount: bytes, initURI: output.initURI,
            description: descriptionChanged ? description : nil)
        descriptionChanged = false
        try barrier.add(file, rendition: index, sequence: sequence)
    }
}
