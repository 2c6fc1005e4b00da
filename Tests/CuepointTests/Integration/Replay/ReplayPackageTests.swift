import CuepointTestSupport
import Cuepoint
import CuepointHLS
import CuepointTime
import Foundation
import Testing

extension Integration.Replay {
    @Suite("Package", .ownThreads) struct Package {
        static let containers: [Container] = [.ts, .fmp4]

        @Test("every file of the package, two renditions", arguments: Package.containers)
        func wholePackage(container: Container) async throws {
            try await TemporaryDirectory.with(label: "replay-\(container.rawValue)") { directory in
                let recording = try await recordWithMarkers(directory, container: container, renditions: ["a", "b"])
                let output = directory.appendingPathComponent("replay")
                let result = try await exportReplay(recording, to: output)
                let expected = try ExpectedMarker.sampleProducts().sorted { $0.startMilliseconds < $1.startMilliseconds }
                #expect(result.durationMilliseconds == 20_000)
                #expect(result.products == expected.count)
                #expect(result.clips == expected.count)
                #expect(result.thumbnails == expected.count)
                #expect(!result.copiedSegments)
                expectNoTemporaryFiles(in: output)
                #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".replay.partial-\(getpid())").path))

                // master.m3u8: chapters, I-frame streams, independent segments.
                let masterText = try String(contentsOf: output.appendingPathComponent("master.m3u8"), encoding: .utf8)
                let master = try MultivariantPlaylist(parsing: masterText)
                #expect(master.independentSegments)
                #expect(master.sessionData.map(\.dataID) == ["com.apple.hls.chapters"])
                #expect(masterText.contains(#"#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="chapters.json""#))
                #expect(master.variants.map(\.uri) == ["a/index.m3u8", "b/index.m3u8"])
                #expect(master.iFrameStreams.map(\.uri) == ["a/iframes.m3u8", "b/iframes.m3u8"])
                for stream in master.iFrameStreams {
                    #expect(stream.codecs == ["avc1.64001f"])
                    #expect(stream.resolution == Resolution(width: 640, height: 360))
                    #expect(stream.bandwidth > 0)
                }

                // Media playlists: VOD, ENDLIST, every date range closed, the same set in both.
                var dateRangeSets: [[DateRange]] = []
                for name in ["a", "b"] {
                    let folder = output.appendingPathComponent(name)
                    let text = try String(contentsOf: folder.appendingPathComponent("index.m3u8"), encoding: .utf8)
                    let playlist = try MediaPlaylist(parsing: text)
                    #expect(playlist.playlistType == .vod)
                    #expect(playlist.endList)
                    #expect(playlist.segments.count == 5)
                    let ranges = playlist.segments.flatMap(\.dateRanges)
                    #expect(ranges.map(\.id).sorted() == expected.map(\.id).sorted())
                    for range in ranges {
                        let marker = try #require(expected.first { $0.id == range.id })
                        #expect(range.durationMilliseconds == marker.durationMilliseconds, "\(range.id) closed with its duration")
                        #expect(
                            range.startDate.millisecondsSince1970
                                == LibraryRun.fixedDate.millisecondsSince1970 + marker.startMilliseconds)
                    }
                    #expect(!text.contains("END-ON-NEXT"))
                    dateRangeSets.append(ranges)
                    // Segments are the recording's files, linked rather than copied.
                    for segment in playlist.segments {
                        let packaged = folder.appendingPathComponent(segment.uri)
                        let original = recording.appendingPathComponent(name).appendingPathComponent(segment.uri)
                        #expect(inode(packaged) != nil && inode(packaged) == inode(original), "\(segment.uri) is a hard link")
                    }

                    // I-frame playlist: every entry decodes to one key frame.
                    let iText = try String(contentsOf: folder.appendingPathComponent("iframes.m3u8"), encoding: .utf8)
                    let iframes = try MediaPlaylist(parsing: iText)
                    #expect(iframes.iFramesOnly && iframes.endList && iframes.playlistType == .vod)
                    #expect(iframes.segments.count == (container == .ts ? 10 : 5), "TS: every keyframe, fMP4: each segment's first")
                    #expect(iframes.segments.reduce(0) { $0 + $1.durationMilliseconds } == 20_000)
                    for entry in iframes.segments {
                        let frames = try ReplayProbe.iFrameEntryFrames(entry, in: folder)
                        #expect(frames.first?.isKeyframe == true, "\(entry.uri) @\(entry.byteRange?.offset ?? 0): a key frame")
                        #expect(frames.filter(\.isKeyframe).count == 1)
                    }
                }
                #expect(dateRangeSets[0] == dateRangeSets[1])

                // chapters.json: Apple's format, valid, one chapter per product, thumbnails with real sizes.
                let chaptersText = try String(contentsOf: output.appendingPathComponent("chapters.json"), encoding: .utf8)
                let chapters = try ChapterDocument.parse(chaptersText)
                #expect(chapters.validationProblems().isEmpty, "\(chapters.validationProblems())")
                #expect(chapters.chapters.map(\.startMilliseconds) == expected.map(\.startMilliseconds))
                #expect(chapters.chapters.map { $0.titles.first?.title } == expected.map(\.title))
                for chapter in chapters.chapters {
                    let image = try #require(chapter.images.first)
                    #expect(image.pixelWidth == 320 && image.pixelHeight == 180)
                    let streams = try FFprobe.streams(of: output.appendingPathComponent(image.url).path)
                    #expect(streams.first?.codecName == "mjpeg" && streams.first?.width == 320 && streams.first?.height == 180)
                    #expect(chapter.metadata.contains { $0.key == "com.cuepoint.product" })
                }
                // Disjoint: each chapter ends at or before the next starts.
                for (left, right) in zip(chapters.chapters, chapters.chapters.dropFirst()) {
                    #expect(left.startMilliseconds + (left.durationMilliseconds ?? 0) <= right.startMilliseconds)
                }

                // chapters.vtt: valid WebVTT chapters, the marker ids as cue identifiers.
                let vtt = try WebVTTChapters.parse(
                    try String(contentsOf: output.appendingPathComponent("chapters.vtt"), encoding: .utf8))
                #expect(vtt.validationProblems().isEmpty)
                #expect(vtt.cues.map(\.identifier) == expected.map(\.id))
                #expect(vtt.cues.map(\.text) == expected.map(\.title))

                // products.json: the shoppable index with the markers' own times, clips and thumbnails.
                let index = try readJSONObject(output.appendingPathComponent("products.json"))
                let products = try #require(index["products"] as? [[String: Any]])
                #expect(products.map { $0["id"] as? String } == expected.map(\.id))
                for (product, marker) in zip(products, expected) {
                    #expect(product["title"] as? String == marker.title)
                    #expect(product["url"] as? String == marker.url)
                    #expect(product["price"] as? String == marker.price)
                    #expect(((product["start"] as? NSNumber)?.doubleValue ?? -1) * 1000 == Double(marker.startMilliseconds))
                    let end = Double(marker.startMilliseconds + (marker.durationMilliseconds ?? 0))
                    #expect(((product["end"] as? NSNumber)?.doubleValue ?? -1) * 1000 == end)
                    let clip = try #require(product["clip"] as? String)
                    let thumbnail = try #require(product["thumbnail"] as? String)
                    #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(thumbnail).path))

                    // The clip: keyframe-bounded (sample.mp4 has a keyframe every 2 s).
                    let packets = try FFprobe.packets(of: output.appendingPathComponent(clip).path)
                    #expect(packets.first?.isKeyframe == true, "\(clip) starts with a keyframe")
                    let from = marker.startMilliseconds / 2000 * 2000
                    let to = min(20_000, (Int64(end) + 1999) / 2000 * 2000)
                    let frames = Int((to - from) * 30 / 1000)
                    #expect(packets.count == frames, "\(clip): \(from)–\(to) ms is \(frames) frames")
                }

                // replay.mp4: faststart, 20 s, MP4 chapters at the products' starts (and an intro).
                let mp4 = output.appendingPathComponent("replay.mp4").path
                #expect(try ReplayProbe.moovFirst(mp4))
                let format = try FFprobe.format(of: mp4)
                #expect(abs((format.durationSeconds ?? 0) - 20) < 0.1)
                let mp4Chapters = try ReplayProbe.chapters(of: mp4)
                #expect(mp4Chapters.first == ProbeChapter(startMilliseconds: 0, endMilliseconds: expected[0].startMilliseconds, title: "Intro"))
                #expect(mp4Chapters.dropFirst().map(\.startMilliseconds) == expected.map(\.startMilliseconds))
                #expect(mp4Chapters.dropFirst().map(\.title) == expected.map(\.title))
                #expect(mp4Chapters.last?.endMilliseconds == 20_000)
                #expect(try packetCount(of: mp4, stream: "v:0") == 600)

                // A real player plays the whole VOD package.
                do {
                    try expectPlays(output.appendingPathComponent("master.m3u8"), videoFrames: 600)
                }
                // replay.json marks the package.
                let manifest = try readJSONObject(output.appendingPathComponent("replay.json"))
                #expect(manifest["products"] as? Int == expected.count)
            }
        }
    }
}

extension Integration.Replay {
    @Suite("Exact clips", .ownThreads) struct ExactClips {
        @Test("clips: exact start on the product's frame and decode cleanly across the splice", arguments: [Container.ts, .fmp4])
        func exactClips(container: Container) async throws {
            try await TemporaryDirectory.with(label: "replay-exact") { directory in
                let recording = try await recordWithMarkers(directory, container: container)
                let output = directory.appendingPathComponent("replay")
                var options = ReplayOptions()
                options.clips = .exact
                options.thumbnails = false
                let result = try await exportReplay(recording, to: output, options: options)
                #expect(result.clips == 6)
                #expect(!result.notes.contains { $0.contains("stays keyframe-bounded") }, "\(result.notes)")
                for marker in try ExpectedMarker.sampleProducts() {
                    let clip = output.appendingPathComponent("clips/\(marker.id).mp4").path
                    let packets = try FFprobe.packets(of: clip)
                    #expect(packets.first?.isKeyframe == true, "\(marker.id) starts with a key frame")
                    let end = marker.startMilliseconds + (marker.durationMilliseconds ?? 0)
                    let to = min(20_000, (end + 1999) / 2000 * 2000)
                    // From the product's frame (rounded up to the frame grid) to the keyframe after its end.
                    let frames = Int((to * 30 + 999) / 1000 - (marker.startMilliseconds * 30 + 999) / 1000)
                    #expect(abs(packets.count - frames) <= 1, "\(marker.id): \(packets.count) frames, expected \(frames)")
                    let decode = try await Program.run("/usr/bin/ffmpeg", ["-v", "error", "-i", clip, "-f", "null", "-"])
                    #expect(decode.status == 0 && decode.stderrText.isEmpty, "\(marker.id): \(decode.stderrText)")
                }
            }
        }
    }
}
