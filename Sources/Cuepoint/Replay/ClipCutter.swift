import CuepointFFmpeg
import CuepointTime
import Foundation

/// Cuts one MP4 clip per product while the replay is read once: stream copy from the last
/// keyframe at or before the product's start to the first keyframe at or after its end.
///
/// Keyframes are those of the video stream (every audio packet for an audio-only recording).
/// A clip opens when the keyframe after its start arrives (then the previous one is known to be
/// the last at or before it) and gets the buffered group; it takes the following packets until
/// the video reaches a keyframe at or after its end, and audio up to that keyframe's time.
final class ClipCutter {
    struct Request {
        var id: String
        var path: String
        var start: MediaTime
        var end: MediaTime
    }

    /// A finished clip: where it starts and ends on the replay's timeline.
    struct Clip {
        var id: String
        var path: String
        var start: MediaTime
        var end: MediaTime
    }

    private final class Active {
        let request: Request
        let writer: MP4Writer
        let start: MediaTime
        var end: MediaTime?
        init(request: Request, writer: MP4Writer, start: MediaTime) {
            self.request = request
            self.writer = writer
            self.start = start
        }
    }

    private var pending: [Request]
    private var active: [Active] = []
    private let keyKind: ReplayPacket.Kind
    private let video: StreamInfo?
    private let audio: StreamInfo?
    private(set) var finished: [Clip] = []
    /// Packets the clips' writers left out for overlapping timestamps (``MP4Writer/packetsDropped``).
    private(set) var packetsDropped = 0

    init(requests: [Request], video: StreamInfo?, audio: StreamInfo?) {
        pending = requests.sorted { $0.start < $1.start }
        keyKind = video != nil ? .video : .audio
        self.video = video
        self.audio = audio
    }

    var isIdle: Bool { pending.isEmpty && active.isEmpty }

    /// Called when a keyframe at `time` arrives, before it is added to `window`: opens the clips
    /// whose start lies before it (their group is `window`).
    func keyframeArrives(at time: MediaTime, window: GOPWindow) throws {
        guard let groupStart = window.keyframeTime else { return }
        while let request = pending.first, request.start < time {
            pending.removeFirst()
            try open(request, groupStart: groupStart, window: window)
        }
    }

    /// Routes one packet to the open clips. Call after ``keyframeArrives(at:window:)``.
    func route(_ item: ReplayPacket) throws {
        guard !active.isEmpty, let time = item.replayTime else { return }
        for clip in active { try deliver(item, to: clip) }
        // A clip is complete when its video ended and the other stream passed the end too.
        let done = active.filter { clip in
            guard let end = clip.end else { return false }
            return item.kind != keyKind ? time >= end : (audio == nil || video == nil)
        }
        for clip in done { try complete(clip) }
    }

    /// At the end of the input: opens the clips still waiting (their group is the last) and
    /// completes every clip.
    func finish(window: GOPWindow, replayEnd: MediaTime) throws {
        if let groupStart = window.keyframeTime {
            while let request = pending.first {
                pending.removeFirst()
                try open(request, groupStart: groupStart, window: window)
            }
        }
        for clip in active {
            if clip.end == nil { clip.end = replayEnd }
            try complete(clip)
        }
    }

    /// Removes the files of unfinished clips after a failure.
    func abandon() {
        for clip in active { clip.writer.abandon() }
        active = []
    }

    private func open(_ request: Request, groupStart: MediaTime, window: GOPWindow) throws {
        let writer = try MP4Writer(path: request.path, video: video, audio: audio, start: groupStart)
        let clip = Active(request: request, writer: writer, start: groupStart)
        active.append(clip)
        for item in window.packets(keyKind: keyKind) { try deliver(item, to: clip) }
    }

    /// Writes `item` to `clip` when it belongs there: key-stream packets until the first
    /// keyframe at or after the clip's end (which sets that end), the other stream from the
    /// clip's start up to that end.
    private func deliver(_ item: ReplayPacket, to clip: Active) throws {
        guard let time = item.replayTime else { return }
        if item.kind == keyKind {
            if clip.end == nil, item.packet.isKeyframe, time >= clip.request.end, time > clip.start { clip.end = time }
            if clip.end == nil { try clip.writer.write(item) }
        } else if time >= clip.start, clip.end.map({ time < $0 }) ?? true {
            try clip.writer.write(item)
        }
    }

    private func complete(_ clip: Active) throws {
        active.removeAll { $0 === clip }
        try clip.writer.finish()
        packetsDropped += clip.writer.packetsDropped
        finished.append(Clip(id: clip.request.id, path: clip.request.path, start: clip.start, end: clip.end ?? clip.start))
    }
}
