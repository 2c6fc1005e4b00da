import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import NIOConcurrencyHelpers
import Testing

extension Integration.ProductMarkers {
    /// The library API (`addMarker`, `closeMarker`, `markers`) and a followed marker file on a
    /// running pipeline: a live input (a FIFO fed in real time by the `ffmpeg` program, 9 s of
    /// sample.ts), and an API call at a fixed point of a file run.
    @Suite("Library API on a running pipeline", .ownThreads)
    struct LiveAPI {
        static var ffmpeg: String? { ExternalProgram.which("ffmpeg") }

        @Test(
            "add an open marker (start now), reject bad ones, close it later; a late marker; a followed file",
            .enabled(if: LiveAPI.ffmpeg != nil, "needs the ffmpeg program"), .timeLimit(.minutes(3)))
        func addAndCloseWhileRunning() async throws {
            try await TemporaryDirectory.with(label: "markers-live") { folder in
                let fifo = folder.appendingPathComponent("input.ts")
                let feeder = try FFmpegFeeder.start(media: URL(fileURLWithPath: SampleInput.ts.path), fifo: fifo, seconds: 9)
                defer { feeder.stop() }

                let directory = folder.appendingPathComponent("recording")
                // A marker file followed while the pipeline runs: one line at the start.
                let followed = folder.appendingPathComponent("follow.jsonl")
                try Data(
                    (#"{"id":"f-1","title":"From the file","url":"https://shop.example/p/f1","start":0.5,"duration":1}"#
                        + "\n").utf8
                )
                .write(to: followed)
                // A FIFO is not a regular file; FFmpeg's file protocol reads it as a stream.
                let spec = PipelineSpec(
                    name: "live-markers", input: InputSpec(url: "file://" + fifo.path, live: true),
                    output: OutputSpec(container: .ts, segmentDuration: .milliseconds(2_000), liveWindow: 3),
                    markers: MarkersSpec(className: MarkerRuns.className, files: [followed.path]))
                let warnings = WarningLog()
                var options = RunOptions()
                options.warning = { warnings.append($0) }
                let runner = PipelineRunner(spec: spec, directory: directory, options: options)

                // Not running yet: the API says so.
                #expect(throws: MarkerProblems.self) { try runner.addMarker(LiveAPI.marker(id: "early")) }

                // The pipeline and the API calls run on threads of their own, so that a busy
                // cooperative pool (other tests blocking on their processes) cannot delay the calls
                // past the end of the input; what they saw is checked afterwards.
                let (seen, outcome) = await withCheckedContinuation { continuation in
                    Thread {
                        continuation.resume(returning: LiveAPI.drive(runner, directory: directory, followed: followed))
                    }.start()
                }
                if let problem = seen.problem { Issue.record(Comment(rawValue: problem)) }
                let summary: RunSummary
                switch outcome {
                case .success(let value): summary = value
                case .failure(let error):
                    Issue.record(
                        "the live run failed: \(error); the API calls saw \(seen); warnings: \(warnings.messages)")
                    return
                }
                #expect(!summary.stopped, "the input ended on its own")

                let opening = try #require(try seen.added?.get())
                #expect(opening.id == "live-1")
                #expect(opening.isOpen, "a marker without duration or end is open")
                #expect(opening.startMilliseconds >= 0)
                #expect(seen.markersAfterAdd == ["f-1", "live-1"])
                // Acknowledged means logged: the add was on disk when addMarker returned.
                #expect(seen.logAfterAdd == ["add f-1", "add live-1"])

                // Bad markers: each threw MarkerProblems naming the marker and the field.
                #expect(seen.rejected.map(\.id) == ["bad-title", "live-1", "bad-currency"])
                for (id, field, result) in seen.rejected { expectRejected(result, id: id, field: field) }
                #expect(seen.markersAfterRejects == ["f-1", "live-1"], "rejected markers are not kept")
                #expect(seen.logAfterRejects == 2, "rejected markers are not logged")

                // A marker whose start was already published: accepted.
                let late = try #require(try seen.late?.get())
                #expect(late.startMilliseconds == 0 && late.durationMilliseconds == 1_000)
                #expect(seen.followedUp, "the line appended to the followed file was not picked up")

                // Closed after its opening tag was published.
                #expect(seen.opened, "the open marker never reached index.m3u8 before it was closed")
                let closing = try #require(try seen.closed?.get())
                #expect(closing.id == "live-1" && !closing.isOpen)
                #expect(closing.startMilliseconds == opening.startMilliseconds)
                #expect(seen.durationAfterClose == closing.durationMilliseconds, "runner.markers shows the duration")
                #expect(throws: MarkerProblems.self, "closing twice") { try seen.closedTwice?.get() }
                #expect(throws: MarkerProblems.self, "closing an unknown id") { try seen.closedUnknown?.get() }
                let duration = try #require(closing.durationMilliseconds)

                // index.m3u8: the open tag, then a closing tag with the same ID and DURATION.
                let recording = try verifyRecording(directory: directory, container: .ts, segmentMilliseconds: 2_000)
                let index = recording.rendition.playlist
                #expect(index.playlistType == .event && index.endList)
                expectRoundTrip(recording.rendition.text, "index.m3u8")
                expectContinuousProgramDateTime(index)
                let tags = index.placedDateRanges.filter { $0.range.id == "live-1" }
                #expect(
                    index.placedDateRanges.map(\.range.id).sorted() == ["f-1", "f-2", "late-1", "live-1", "live-1"],
                    "the accepted markers, live-1 twice: \(index.placedDateRanges.map(\.range.id))")
                // The late marker: its DATERANGE at the recording's start, its in-band tag reported late.
                let lateTag = index.placedDateRanges.first { $0.range.id == "late-1" }
                #expect(lateTag?.range.startDate == index.segments.first?.programDateTime)
                #expect(lateTag?.range.durationMilliseconds == 1_000)
                #expect(
                    warnings.messages.contains { $0.contains("late-1") && $0.contains("late") },
                    "the late marker is reported: \(warnings.messages)")
                // The file's markers, at their times.
                let f1 = index.placedDateRanges.first { $0.range.id == "f-1" }
                #expect(f1?.range.startDate == index.segments.first?.programDateTime?.advanced(by: .milliseconds(500)))
                #expect(f1?.string("X-COM-CUEPOINT-TITLE") == "From the file")
                try #require(tags.count == 2, "index.m3u8 has \(tags.count) live-1 tags:\n\(recording.rendition.text)")
                let (open, close) = (tags[0], tags[1])
                #expect(open.segmentIndex < close.segmentIndex, "the closing tag comes with a later segment")
                #expect(open.range.durationMilliseconds == nil && open.range.endDate == nil, "the first tag is open")
                #expect(close.range.durationMilliseconds == duration, "the closing tag has DURATION")
                for tag in tags {
                    #expect(!tag.range.endOnNext, "END-ON-NEXT is never written")
                }
                var reopened = close.range
                reopened.durationMilliseconds = nil
                #expect(reopened == open.range, "the closing tag repeats ID, CLASS, START-DATE and every attribute")
                #expect(open.range.classAttribute == MarkerRuns.className)
                let firstDate = try #require(index.segments.first?.programDateTime)
                #expect(
                    open.range.startDate == firstDate.advanced(by: .milliseconds(opening.startMilliseconds)),
                    "START-DATE is the recording's start plus the placed start")
                let recordingEnd = firstDate.advanced(
                    by: .milliseconds(index.segments.reduce(0) { $0 + $1.durationMilliseconds }))
                #expect(open.range.startDate < recordingEnd)
                #expect(sameScalars(open.cardJSON.flatMap(cardObject)?["title"] as? String, LiveAPI.title))
                #expect(open.string("X-COM-CUEPOINT-TITLE") == quotedStringSafe(LiveAPI.title))

                // live.m3u8: the window rules, and the marker's tags kept while its range overlaps the window.
                let liveURL = directory.appendingPathComponent("source/live.m3u8")
                let liveRendition = try verifyMediaPlaylist(liveURL, container: .ts, segmentMilliseconds: 2_000)
                let live = liveRendition.playlist
                expectRoundTrip(liveRendition.text, "live.m3u8")
                let window = min(3, index.segments.count)
                #expect(live.playlistType == nil && live.endList)
                #expect(live.segments.map(\.uri) == index.segments.suffix(window).map(\.uri))
                #expect(live.mediaSequence == index.mediaSequence + Int64(index.segments.count - window))
                // Every tag of a listed segment stays; a tag of a segment that left the window stays
                // while its range reaches the window (RFC 8216 §6.2.1), moved to the first segment.
                let windowStart = try #require(live.segments.first?.programDateTime)
                let firstListed = index.segments.count - window
                // Where each range ends, from whichever tag has its DURATION.
                var ends: [String: WallClockTime] = [:]
                for tag in index.placedDateRanges {
                    if let duration = tag.range.durationMilliseconds {
                        ends[tag.range.id] = tag.range.startDate.advanced(by: .milliseconds(duration))
                    }
                }
                let kept = index.placedDateRanges.filter { tag in
                    tag.segmentIndex >= firstListed || ends[tag.range.id].map { $0 >= windowStart } ?? true
                }
                let liveTags = live.placedDateRanges
                #expect(
                    Set(liveTags.map(\.range)) == Set(kept.map(\.range)) && liveTags.count == kept.count,
                    "live.m3u8 should list \(kept.map { "\($0.range.id) \($0.range.durationMilliseconds.map { "\($0) ms" } ?? "open")" }):\n\(liveRendition.text)"
                )
                for tag in liveTags {
                    let original = try #require(index.placedDateRanges.first { $0.range == tag.range })
                    #expect(
                        tag.segmentIndex == max(0, original.segmentIndex - firstListed),
                        "\(tag.range.id): a tag stays at its segment, or at the window's first when its segment left")
                }
                #expect(live.placedDateRanges.allSatisfy { !$0.range.endOnNext })

                // markers.jsonl: every add, and live-1's close after its add.
                let events = try MarkerLogEvent.read(directory)
                #expect(
                    Set(events.filter { $0.event == "add" }.compactMap(\.id)) == ["f-1", "live-1", "late-1", "f-2"]
                        && events.filter { $0.event == "add" }.count == 4,
                    "\(events.map(\.object))")
                let liveEvents = events.filter { $0.id == "live-1" }
                #expect(liveEvents.map(\.event) == ["add", "close"], "\(events.map(\.object))")
                #expect(liveEvents.first?.marker?["duration"] == nil, "the add is open")
                #expect(MarkerLogEvent.milliseconds(liveEvents.first?.marker?["start"]) == opening.startMilliseconds)
                #expect(MarkerLogEvent.milliseconds(liveEvents.last?.object["duration"]) == duration)
                // The bad line of the followed file: one warning, with its line number.
                let rejected = warnings.messages.filter { $0.contains("rejected") }
                #expect(
                    rejected.count == 1 && rejected.first?.contains("\(followed.path):3:") == true
                        && rejected.first?.contains("title") == true,
                    "one warning for line 3 of the followed file: \(warnings.messages)")
            }
        }

        /// A fixed clock that, the first time the pipeline thread reads it after the first segment
        /// was written (when that segment is published), calls `action` there: an API call at a
        /// known point of the packet loop.
        final class HookClock: WallClock, @unchecked Sendable {
            // Invariant: `state` is only touched with `lock` held; `action` runs without it.
            private let lock = NSLock()
            private var fired = false
            /// The thread of the first reading: the pipeline's (it opens the marker desk).
            private var pipelineThread: pthread_t?
            private let trigger: URL
            var action: (@Sendable () -> Void)?

            init(trigger: URL) { self.trigger = trigger }

            var hasFired: Bool { lock.withLock { fired } }

            func now() -> WallClockTime {
                let fire = lock.withLock { () -> Bool in
                    let current = pthread_self()
                    if pipelineThread == nil { pipelineThread = current }
                    guard !fired, let pipelineThread, pthread_equal(pipelineThread, current) != 0,
                        FileManager.default.fileExists(atPath: trigger.path)
                    else { return false }
                    fired = true
                    return true
                }
                if fire { action?() }
                return LibraryRun.fixedDate
            }
        }

        @Test("a marker added late through the API while an on-time marker falls due: the TS recording still completes")
        func lateMarkerNextToAnOnTimeOne() async throws {
            try await TemporaryDirectory.with(label: "markers-late-order") { directory in
                // sample.mp4 (B-frames): after the keyframe at 4.0 s comes the P-frame at 4.1 s in
                // decoding order. An on-time marker at 4.05 s is due at that P-frame and goes in-band
                // at 4.05 s; a marker whose start was already written, added when the first segment
                // (0–4 s) is published, is due at the same packet and goes in-band late at 4.1 s.
                // Both must reach the timed-ID3 stream without breaking the run.
                let onTime = Marker(
                    id: "on-time", title: "On time", url: "https://shop.example/p/on",
                    start: .offset(milliseconds: 4_050),
                    end: .duration(milliseconds: 1_000))
                let clock = HookClock(trigger: directory.appendingPathComponent("source/seg_000001.ts"))
                var options = RunOptions()
                options.clock = clock
                let warnings = WarningLog()
                options.warning = { warnings.append($0) }
                var spec = MarkerRuns.spec(container: .ts, inline: [onTime])
                spec.markers?.files = []
                let runner = PipelineRunner(spec: spec, directory: directory, options: options)
                let lateResult = NIOLockedValueBox<Result<PlacedMarker, MarkerProblems>?>(nil)
                clock.action = { [runner] in
                    let marker = Marker(
                        id: "late", title: "Late", url: "https://shop.example/p/late",
                        start: .offset(milliseconds: 1_000),
                        end: .duration(milliseconds: 1_000))
                    do throws(MarkerProblems) {
                        let placed = try runner.addMarker(marker)
                        lateResult.withLockedValue { $0 = .success(placed) }
                    } catch {
                        lateResult.withLockedValue { $0 = .failure(error) }
                    }
                }
                let outcome = await runner.record()
                #expect(clock.hasFired, "the API call was made during the run")
                #expect(throws: Never.self, "the late marker is accepted") { try lateResult.withLockedValue { $0 }?.get() }
                switch outcome {
                case .failure(let error):
                    Issue.record("the run failed: \(error); warnings: \(warnings.messages)")
                case .success:
                    let rendition = try verifyRecording(
                        directory: directory, container: .ts, segmentMilliseconds: 4_000
                    ).rendition
                    #expect(Set(rendition.playlist.placedDateRanges.map(\.range.id)) == ["on-time", "late"])
                    #expect(
                        warnings.messages.contains { $0.contains("late") },
                        "the late in-band tag is reported: \(warnings.messages)")
                }
            }
        }

        static let title = "Live \"Special\" Offer\n👩‍🍳 & <more>"

        static func marker(id: String, title: String = LiveAPI.title, currency: String = "USD") -> Marker {
            Marker(
                id: id, product: "SKU-LIVE-1", title: title, url: "https://shop.example.com/p/live-1", price: "9.99",
                currency: currency, start: .now)
        }

        private func expectRejected(
            _ result: Result<PlacedMarker, MarkerProblems>, id: String, field: String,
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            switch result {
            case .success(let placed):
                Issue.record("marker \(id) was accepted: \(placed)", sourceLocation: sourceLocation)
            case .failure(let error):
                #expect(
                    error.problems.contains { $0.field == field }, "\(id): problems \(error.problems)",
                    sourceLocation: sourceLocation)
                let text = error.description
                #expect(
                    text.hasPrefix("api: ") && text.contains(field) && text.contains(id),
                    "\(id): the message names the source, the marker and the field: \(text)",
                    sourceLocation: sourceLocation)
            }
        }

        /// What the API calls returned while the pipeline ran.
        struct Observations: Sendable {
            var problem: String?
            var added: Result<PlacedMarker, MarkerProblems>?
            var markersAfterAdd: [String] = []
            var logAfterAdd: [String] = []
            var rejected: [(id: String, field: String, result: Result<PlacedMarker, MarkerProblems>)] = []
            var markersAfterRejects: [String] = []
            var logAfterRejects = -1
            var late: Result<PlacedMarker, MarkerProblems>?
            var followedUp = false
            var opened = false
            var closed: Result<PlacedMarker, MarkerProblems>?
            var durationAfterClose: Int64?
            var closedTwice: Result<PlacedMarker, MarkerProblems>?
            var closedUnknown: Result<PlacedMarker, MarkerProblems>?
        }

        /// Runs the pipeline on a thread, makes the API calls from this one, and returns what
        /// they gave and how the run ended. Blocking: call it on a thread of its own.
        static func drive(_ runner: PipelineRunner, directory: URL, followed: URL)
            -> (Observations, Result<RunSummary, CuepointError>)
        {
            let finished = DispatchSemaphore(value: 0)
            let outcome = NIOLockedValueBox<Result<RunSummary, CuepointError>?>(nil)
            Thread {
                do throws(CuepointError) {
                    let summary = try runner.runBlocking()
                    outcome.withLockedValue { $0 = .success(summary) }
                } catch {
                    outcome.withLockedValue { $0 = .failure(error) }
                }
                finished.signal()
            }.start()

            func poll(_ seconds: TimeInterval, _ condition: () -> Bool) -> Bool {
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline {
                    if condition() { return true }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                return condition()
            }
            func call(_ body: () throws(MarkerProblems) -> PlacedMarker) -> Result<PlacedMarker, MarkerProblems> {
                do throws(MarkerProblems) { return .success(try body()) } catch { return .failure(error) }
            }
            func logged() -> [String] {
                ((try? MarkerLogEvent.read(directory)) ?? []).map { "\($0.event) \($0.id ?? "?")" }
            }

            var seen = Observations()
            let index = directory.appendingPathComponent("source/index.m3u8")
            // Once the first segment is published the recording has its start date.
            if poll(20, { FileManager.default.fileExists(atPath: index.path) }) {
                seen.added = call { () throws(MarkerProblems) in try runner.addMarker(LiveAPI.marker(id: "live-1")) }
                seen.markersAfterAdd = runner.markers.map(\.id).sorted()
                seen.logAfterAdd = logged()
                for (marker, field) in [
                    (LiveAPI.marker(id: "bad-title", title: ""), "title"), (LiveAPI.marker(id: "live-1"), "id"),
                    (LiveAPI.marker(id: "bad-currency", currency: "dollars"), "currency"),
                ] {
                    seen.rejected.append(
                        (marker.id, field, call { () throws(MarkerProblems) in try runner.addMarker(marker) }))
                }
                seen.markersAfterRejects = runner.markers.map(\.id).sorted()
                seen.logAfterRejects = logged().count
                // Late markers go in-band at the current packet; two of them a few frames apart
                // can get decreasing timestamps with B-frames, which fails the run (see
                // lateMarkerNextToAnOnTimeOne). Spaced out here, so this test is about the API.
                Thread.sleep(forTimeInterval: 0.3)
                seen.late = call { () throws(MarkerProblems) in
                    try runner.addMarker(
                        Marker(
                            id: "late-1", title: "Late", url: "https://shop.example/p/late",
                            start: .offset(milliseconds: 0),
                            end: .duration(milliseconds: 1_000)))
                }
                Thread.sleep(forTimeInterval: 0.3)
                // New lines in the followed file: one good (start "now"), one bad (no title).
                if let appended = try? FileHandle(forWritingTo: followed) {
                    _ = try? appended.seekToEnd()
                    try? appended.write(
                        contentsOf: Data(
                            (#"{"id":"f-2","title":"Appended","url":"https://shop.example/p/f2","start":"now","duration":1}"#
                                + "\n"
                                + #"{"id":"f-3","url":"https://shop.example/p/f3","start":"now"}"# + "\n").utf8))
                    try? appended.close()
                }
                seen.followedUp = poll(20) { runner.markers.contains { $0.id == "f-2" } }
                // The opening tag is published with a later segment; then close the marker.
                seen.opened = poll(20) {
                    (try? String(contentsOf: index, encoding: .utf8))?.contains(#"ID="live-1""#) == true
                }
                seen.closed = call { () throws(MarkerProblems) in try runner.closeMarker(id: "live-1") }
                seen.durationAfterClose = runner.markers.first { $0.id == "live-1" }?.durationMilliseconds
                seen.closedTwice = call { () throws(MarkerProblems) in try runner.closeMarker(id: "live-1") }
                seen.closedUnknown = call { () throws(MarkerProblems) in try runner.closeMarker(id: "nobody") }
            } else {
                seen.problem = "no segment was published within 20 s"
                runner.stop()
            }
            // A safety net against a hung input, not a measured threshold.
            if finished.wait(timeout: .now() + 40) == .timedOut {
                seen.problem = (seen.problem ?? "") + " the run did not end within 40 s of the last call; stopped"
                runner.stop()
                finished.wait()
            }
            return (seen, outcome.withLockedValue { $0 } ?? .failure(CuepointError(subject: "test", message: "no outcome")))
        }
    }
}
