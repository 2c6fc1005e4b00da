import CuepointHLS
import CuepointTime
import Foundation

extension PipelineRunner {
    /// A resumed live job that stopped before its input came back (SIGINT or SIGTERM, a show
    /// ended, the wait for a publisher expired): the recording ends as the earlier process left
    /// it, as it would have had that process stopped normally.
    ///
    /// Its playlists get EXT-X-ENDLIST, the markers still open end with the recording (a closing
    /// tag in the playlists, a close in `markers.jsonl`), markers the crash kept from the
    /// playlists are published with the last segment, `recording.json` says complete, and the
    /// summary lists the renditions, so the replay runs. (It used to return "nothing recorded"
    /// and leave the recording open for ever: issues 13 and 16.)
    ///
    /// CODECS, RESOLUTION and FRAME-RATE come from the multivariant playlist the earlier
    /// process published; BANDWIDTH is measured again from the segments.
    func finishResumedWithoutInput(
        _ resumed: RecordingResume, store: any Store, local: DirectoryStore, replicas: ReplicatingStore?,
        warnings: WarningCollector
    ) throws(CuepointError) -> RunSummary {
        let target = spec.output.segmentDuration.milliseconds
        let published = (try? store.read(RecordingLayout.multivariantPlaylist))
            .flatMap { String(validating: $0, as: UTF8.self) }
            .flatMap { try? MultivariantPlaylist(parsing: $0) }
        let renditions = spec.renditions.map { planned -> RecordingPublisher.Rendition in
            var description = VariantDescription(streams: [])
            if let variant = published?.variants.first(where: { $0.uri.hasPrefix(planned.name + "/") }) {
                description.codecs = variant.codecs
                description.resolution = variant.resolution
                description.frameRate = variant.frameRate
            }
            let rendition = RecordingPublisher.Rendition(
                name: planned.name,
                playlists: RenditionPlaylists(
                    kinds: spec.playlists, windowSize: spec.output.liveWindow, finishAsVOD: false,
                    targetMilliseconds: target, firstSequence: 1),
                description: description, kind: renditionKind(planned.name))
            return resumed.seed(rendition, targetMilliseconds: target)
        }
        let publisher = RecordingPublisher(
            store: store, recordingName: spec.name, container: spec.output.container,
            segmentDuration: spec.output.segmentDuration, isLive: true, renditions: renditions, warnings: warnings)
        publisher.startDate = resumed.startDate
        let captions = CaptionTrack.load(spec.captions, for: "the recording")
        for note in captions.notes { warnings.add(note) }
        if !captions.tracks.isEmpty {
            do {
                try publisher.startSubtitles(captions.tracks, resumed: resumed)
            } catch {
                throw CuepointError(subject: error.path, message: "cannot write the subtitles: \(error.reason)", fix: error.fix)
            }
        }

        var desk: MarkerDesk?
        var closedAtEnd: [(id: String, durationMilliseconds: Int64)] = []
        if let markersSpec = spec.markers {
            let opened = try openMarkerDesk(
                store: local, replicas: replicas, startDate: nil, duration: nil, resumed: resumed, warnings: warnings)
            var timeline = Timeline(isLive: true, startDate: nil)
            timeline.resume(
                recordedMilliseconds: resumed.recordedMilliseconds,
                lastSegment: (resumed.lastSegment.programDateTime, resumed.lastSegment.recordingOffsetMilliseconds),
                mediaEndMilliseconds: resumed.mediaEndMilliseconds)
            var placement = MarkerPlacement(spec: markersSpec)
            let end = resumed.recordedMilliseconds
            for marker in placement.resume(logged: opened.markers, published: resumed.publishedDateRanges, recordedUntil: end) {
                warnings.add(
                    "marker \(marker.id) of markers.jsonl had not reached the playlists before the restart; it is"
                        + " published with the last segment")
            }
            let now = options.clock.now()
            var ranges = placement.dateRanges(forSegmentEndingAt: end, on: timeline, now: now)
            let finished = placement.finish(recordingEnd: end, on: timeline, now: now)
            ranges += finished.closingRanges
            publisher.appendToLastSegment(ranges)
            closedAtEnd = finished.closed
            for marker in finished.unplaced {
                warnings.add(
                    "marker \(marker.id) starts at \(SecondsText.format(milliseconds: marker.startMilliseconds)), after the"
                        + " recording ends (\(SecondsText.format(milliseconds: end))); it was not placed")
            }
            desk = opened
        }
        defer { desk?.closeLog() }
        enter(.finalising)
        do {
            try publisher.publishAll(finished: true)
            try publisher.writeRecordingState(complete: true)
        } catch {
            throw describeOutputFailure(error, input: inputName)
        }
        // The log says what the playlists say: open markers ended with the recording.
        for close in closedAtEnd { desk?.recordClose(id: close.id, durationMilliseconds: close.durationMilliseconds) }
        warnings.add(
            "stopped before the input came back: the resumed recording in \(resumed.location) ends after media"
                + " sequence number \(resumed.lastMediaSequence), as the earlier run left it")
        return RunSummary(
            directory: directory,
            renditions: zip(publisher.renditions, spec.renditions).map { Self.summary(of: $0, transcoded: !$1.copy) },
            warnings: warnings.all, stopped: true, replay: nil)
    }

    /// What the run summary says about a rendition the publisher holds.
    static func summary(of rendition: RecordingPublisher.Rendition, transcoded: Bool) -> RunSummary.Rendition {
        RunSummary.Rendition(
            name: rendition.name, segments: rendition.playlists.segments.count,
            durationMilliseconds: rendition.playlists.segments.reduce(0) { $0 + $1.durationMilliseconds },
            byteCount: rendition.segmentSizes.reduce(0) { $0 + $1.bytes },
            playlist: RecordingLayout.playlistPath(rendition.playlists.mainKind, in: rendition.name),
            transcoded: transcoded,
            resolution: rendition.description.resolution.map { "\($0.width)x\($0.height)" },
            averageBitrate: rendition.segmentSizes.isEmpty ? nil : BitrateMeasurement.average(segments: rendition.segmentSizes),
            codecs: rendition.description.codecs)
    }
}
