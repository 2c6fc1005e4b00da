import CuepointFFmpeg
import CuepointTime

/// Decodes an input once for every transcoded rendition: the packets of its first video and
/// first audio stream in, each decoded frame handed to every `RenditionEncoder` (each takes
/// its own reference, so no pixels are copied).
///
/// The video decoder uses frame threads (several frames decoded at once; libavcodec's output
/// is the same whatever the thread count, so this does not affect deterministic mode).
/// Packets the decoder rejects as damaged are counted and skipped, as the copy path does.
/// Owned by the thread that reads the input.
final class SourceDecoder {
    /// What to do with one decoded video frame, decided by the caller before the frame goes
    /// to the renditions.
    enum FrameDecision: Equatable {
        /// Not encoded (before the first segment starts).
        case skip
        /// Encoded; `forceKeyframe` true makes it an IDR picture in every rendition, nil lets
        /// each rendition's keyframe plan decide.
        case encode(forceKeyframe: Bool?)
    }

    /// Decides each decoded video frame's fate; nil encodes every frame by the keyframe plan.
    var videoDecision: ((Frame) throws -> FrameDecision)?

    /// What the renditions are made for.
    let source: TranscodeSource
    private let video: (index: Int, decoder: Decoder)?
    private let audio: (index: Int, decoder: Decoder)?
    private let frame = Frame()
    /// Packets the decoders rejected as damaged.
    private(set) var damagedPackets = 0

    /// Opens decoders for the first video stream (cover pictures excluded) and the first audio stream.
    ///
    /// - Parameter threadCount: video decoding threads; nil lets FFmpeg choose (`threads=0`, one
    ///   per core; an `AVCodecContext` left alone decodes on one thread).
    /// - Throws: `FFmpegError` when FFmpeg has no decoder for a stream.
    init(streams: [StreamInfo], threadCount: Int? = nil) throws(FFmpegError) {
        source = TranscodeSource(streams: streams)
        if let stream = streams.first(where: { $0.mediaType == .video && !$0.isAttachedPicture }) {
            video = (stream.index, try Decoder(stream: stream, threadCount: threadCount ?? 0, threading: .frame))
        } else {
            video = nil
        }
        if let stream = streams.first(where: { $0.mediaType == .audio }) {
            audio = (stream.index, try Decoder(stream: stream))
        } else {
            audio = nil
        }
    }

    /// Decodes one packet of the input (packets of other streams are ignored) and submits
    /// the frames it yields to every rendition; blocks while a rendition's queue is full.
    ///
    /// - Throws: a rendition's failure, or a decoding error other than damaged data.
    func decode(_ packet: Packet, into renditions: [RenditionEncoder]) throws {
        if let video, packet.streamIndex == video.index {
            try send(packet, to: video.decoder)
            try drain(video.decoder, isVideo: true, into: renditions)
        } else if let audio, packet.streamIndex == audio.index {
            try send(packet, to: audio.decoder)
            try drain(audio.decoder, isVideo: false, into: renditions)
        }
    }

    /// Drains both decoders after the last packet, submitting their last frames. Does not
    /// finish the renditions.
    func finish(into renditions: [RenditionEncoder]) throws {
        for (decoder, isVideo) in [(video?.decoder, true), (audio?.decoder, false)] {
            guard let decoder else { continue }
            try decoder.send(nil)
            try drain(decoder, isVideo: isVideo, into: renditions)
        }
    }

    /// Makes the decoders take packets again after ``finish(into:)`` (a new epoch of the input:
    /// timestamps that jumped, or a new publisher).
    func restart() {
        video?.decoder.flush()
        audio?.decoder.flush()
    }

    private func send(_ packet: Packet, to decoder: Decoder) throws(FFmpegError) {
        do {
            try decoder.send(packet)
        } catch {
            guard error.code == .invalidData else { throw error }
            damagedPackets += 1
        }
    }

    /// The decoder's next frame into `frame`; false when it needs input or ended. A frame the
    /// decoder reports as damaged is counted and skipped.
    private func receive(from decoder: Decoder) throws(FFmpegError) -> Bool {
        while true {
            do {
                return try decoder.receive(into: frame) == .frame
            } catch {
                guard error.code == .invalidData else { throw error }
                damagedPackets += 1
            }
        }
    }

    private func drain(_ decoder: Decoder, isVideo: Bool, into renditions: [RenditionEncoder]) throws {
        while try receive(from: decoder) {
            guard isVideo else {
                for rendition in renditions { try rendition.submitAudio(frame) }
                continue
            }
            let decision = try videoDecision?(frame) ?? .encode(forceKeyframe: nil)
            guard case .encode(let forced) = decision else { continue }
            for rendition in renditions { try rendition.submitVideo(frame, forceKeyframe: forced) }
        }
    }
}
