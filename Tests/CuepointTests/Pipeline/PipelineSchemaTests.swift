import CuepointTestSupport
import CuepointTime
import Foundation
import Testing

@testable import Cuepoint

/// Keeps `Pipelines/cuepoint-pipeline.schema.json` and the decoder in step: the same keys per
/// section, the same required keys, the same defaults, enums and bounds.
@Suite(.ownThreads) struct PipelineSchemaTests {
    typealias Support = PipelineTestSupport

    static func loadSchema() throws -> [String: Any] {
        let url = Support.pipelinesDirectory.appendingPathComponent("cuepoint-pipeline.schema.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
        return try #require(object as? [String: Any])
    }

    /// The object schemas of the format by key path ("" for the top level, "renditions[]" for
    /// each rendition), found by walking `properties` and `items`.
    static func objectSchemas(_ schema: [String: Any], path: String = "") -> [String: [String: Any]] {
        var result: [String: [String: Any]] = [:]
        if schema["properties"] != nil { result[path] = schema }
        for (key, value) in schema["properties"] as? [String: Any] ?? [:] {
            guard let child = value as? [String: Any] else { continue }
            let childPath = path.isEmpty ? key : path + "." + key
            result.merge(objectSchemas(child, path: childPath)) { $1 }
            if let items = child["items"] as? [String: Any] {
                result.merge(objectSchemas(items, path: childPath + "[]")) { $1 }
            }
        }
        return result
    }

    /// The `default` of every property, by key path.
    static func defaults(_ schema: [String: Any]) -> [String: Any] {
        var result: [String: Any] = [:]
        for (path, object) in objectSchemas(schema) {
            for (key, value) in object["properties"] as? [String: Any] ?? [:] {
                if let property = value as? [String: Any], let value = property["default"] {
                    result[path.isEmpty ? key : path + "." + key] = value
                }
            }
        }
        return result
    }

    static func property(_ schema: [String: Any], _ path: String, _ key: String) throws -> [String: Any] {
        let object = try #require(objectSchemas(schema)[path])
        let properties = try #require(object["properties"] as? [String: Any])
        return try #require(properties[key] as? [String: Any])
    }

    @Test func schemaSectionsHaveTheDecodersKeys() throws {
        let objects = Self.objectSchemas(try Self.loadSchema())
        let decoderKeys: [String: [String]] = [
            "": PipelineDecoder.topLevelKeys,
            "input": PipelineDecoder.inputKeys,
            "output": PipelineDecoder.outputKeys,
            "renditions[]": PipelineDecoder.renditionKeys,
            "markers": PipelineDecoder.markersKeys,
            "markers.from[]": PipelineDecoder.markerSourceKeys,
            "markers.from[].list[]": MarkerDecoder.fieldNames,
            "replay": PipelineDecoder.replayKeys,
            "renditions[].video": PipelineDecoder.videoKeys,
            "renditions[].audio": PipelineDecoder.audioKeys,
            "transcode": PipelineDecoder.transcodeKeys,
            "input.reconnect": PipelineDecoder.reconnectKeys,
            "server": PipelineDecoder.serverKeys,
            "console": PipelineDecoder.consoleKeys,
            "output.publish[]": PipelineDecoder.publishKeys,
            "captions[]": PipelineDecoder.captionKeys,
            "replay.shorts": PipelineDecoder.shortsKeys,
            "replay.reel": PipelineDecoder.reelKeys,
            "replay.storyboard": PipelineDecoder.storyboardKeys,
        ]
        #expect(Set(objects.keys) == Set(decoderKeys.keys))
        for (path, keys) in decoderKeys {
            let properties = try #require(objects[path]?["properties"] as? [String: Any], "no schema for `\(path)`")
            #expect(Set(properties.keys) == Set(keys), "keys of `\(path)`")
            #expect(objects[path]?["additionalProperties"] as? Bool == false, "`\(path)` must reject unknown keys")
            #expect(
                objects[path]?["description"] != nil || path == "renditions[]" || path == "markers.from[]"
                    || path == "captions[]")
            for (key, value) in properties {
                let property = try #require(value as? [String: Any])
                #expect(property["description"] is String, "`\(path).\(key)` needs a description")
            }
        }
    }

    @Test func schemaRequiredKeysAreTheDecodersRequiredKeys() throws {
        let schema = try Self.loadSchema()
        let complete: [String: Any] = [
            "version": 1, "name": "x",
            "input": [
                "url": "a.mp4", "format": "mp4", "options": ["a": "1"], "start_date": "2025-03-14T18:00:00Z",
                "live": false,
            ],
            "output": [
                "directory": "out", "container": "ts", "segment": "6s", "live_window": 6, "playlists": ["index"],
                "publish": [
                    [
                        "url": "s3://shows/x", "endpoint": "http://127.0.0.1:8333", "region": "eu-west-1",
                        "addressing": "path", "storage_class": "STANDARD_IA", "access_key_id_env": "SHOWS_KEY_ID",
                        "secret_access_key_env": "SHOWS_SECRET", "session_token_env": "SHOWS_TOKEN", "lag_warning": "20s",
                        "finish_timeout": "2m",
                    ],
                    ["url": "https://origin.example.com/live/x", "authorization_env": "ORIGIN_TOKEN"],
                ],
            ],
            "renditions": [
                ["name": "source", "copy": true],
                [
                    "name": "low",
                    "video": [
                        "codec": "h264", "width": 320, "height": 180, "bitrate": "400k", "maxrate": 600_000,
                        "bufsize": "800k", "preset": "veryfast", "profile": "main", "level": "3.0",
                    ],
                    "audio": ["codec": "aac", "sample_rate": 48000, "channels": 2, "bitrate": "96k", "multichannel": false],
                ],
                ["name": "mid", "preset": "360p"],
            ],
            "transcode": ["deterministic": false, "threads": 2],
            "markers": [
                "class": "com.example.product", "align": true, "carry": ["daterange"],
                "from": [
                    ["file": "products.jsonl"],
                    [
                        "list": [
                            [
                                "id": "p-1", "product": "SKU-1", "title": "Mug", "url": "https://shop.example/mug",
                                "price": 24.99, "currency": "USD", "image": "https://shop.example/mug.jpg",
                                "attributes": ["color": "blue"], "start": 4.2, "duration": 10,
                            ]
                        ]
                    ],
                ],
            ],
            "captions": [["file": "captions/en.vtt", "language": "en", "name": "English"]],
            "replay": [
                "directory": "out/x-replay", "chapters": "full", "mp4": false, "clips": "exact", "thumbnails": false,
                "thumbnail_width": 640, "language": "pt-BR", "force": true, "posters": false,
                "storyboard": ["interval": "10s", "tile_width": 120, "columns": 8, "rows": 6],
                "shorts": [
                    "size": "720x1280", "fit": "blur", "pre_roll": "1s", "post_roll": "3s", "min": "3s", "max": "20s",
                    "title": false, "price": false, "font": "/usr/share/fonts/x.ttf", "loudness": -14, "true_peak": -1,
                    "upscale": false, "captions": "en", "preset": "fast", "quality": 23,
                ],
                "reel": ["count": 3, "order": "show", "events": "events.jsonl", "moment": "8s"],
            ],
            "server": ["listen": "127.0.0.1:8080", "token_env": "CUEPOINT_TOKEN"],
        ]
        let text = String(decoding: try JSONSerialization.data(withJSONObject: complete), as: UTF8.self)
        #expect(Support.problems(text) == [])
        // Each `markers.from` entry has exactly one key; schemaMarkerSourcesHaveOneKey checks it.
        // `input.reconnect` needs a live input, which `start_date` above excludes: checked on its own.
        #expect(
            Support.problems("version: 1\nname: x\ninput: {url: pipe:0, reconnect: {}}\n").map(\.keyPath)
                == ["input.reconnect.wait"])
        for (path, object) in Self.objectSchemas(schema) where path != "markers.from[]" && path != "input.reconnect" {
            let required = Set(object["required"] as? [String] ?? [])
            let properties = object["properties"] as? [String: Any] ?? [:]
            for key in properties.keys {
                var document = complete
                Self.remove(key, at: path, from: &document)
                let data = try JSONSerialization.data(withJSONObject: document)
                let problems = Support.problems(String(decoding: data, as: UTF8.self))
                let concrete = path == "markers.from[].list[]" ? "markers.from[1].list[0]" : path
                let index = path.hasPrefix("renditions[].") ? "[1]" : "[0]"
                let keyPath = (path.isEmpty ? "" : concrete.replacingOccurrences(of: "[]", with: index) + ".") + key
                if keyPath == "captions" {
                    // replay.shorts.captions burns a language that `captions:` must list.
                    #expect(problems.map(\.keyPath) == ["replay.shorts.captions"])
                } else if keyPath == "renditions" {
                    // The default rendition copies, so `transcode` has nothing to apply to.
                    #expect(problems.map(\.keyPath) == ["transcode"])
                } else if keyPath == "renditions[0].copy" {
                    // Required unless the rendition transcodes (`video`, `audio` or `preset`): the
                    // schema says so with `anyOf`.
                    #expect(problems.map(\.keyPath) == [keyPath])
                    #expect(object["anyOf"] != nil)
                } else if key == "secret_access_key_env" && path == "output.publish[]" {
                    // An access key needs its secret.
                    #expect(problems.map(\.keyPath) == ["output.publish[0].secret_access_key_env"])
                } else if ["maxrate", "bufsize"].contains(key) && path == "renditions[].video" {
                    // Each needs the other: x264 ignores one without the other.
                    #expect(problems.map(\.keyPath) == ["renditions[1].video." + (key == "maxrate" ? "bufsize" : "maxrate")])
                } else if required.contains(key) {
                    #expect(problems.map(\.keyPath) == [keyPath], "schema requires `\(keyPath)`")
                    let message =
                        path.hasPrefix("markers.from") ? "required field is missing" : "required key is missing"
                    #expect(problems.first?.message == message)
                } else {
                    #expect(problems == [], "schema has `\(keyPath)` optional")
                }
            }
        }
    }

    @Test func schemaMarkerSourcesHaveOneKey() throws {
        let source = try #require(Self.objectSchemas(try Self.loadSchema())["markers.from[]"])
        #expect(source["minProperties"] as? Int == 1)
        #expect(source["maxProperties"] as? Int == 1)
        let head = "version: 1\nname: x\ninput: {url: a.mp4}\nmarkers:\n  from:\n"
        #expect(
            Support.lines(head + "    - {}\n") == [
                "p.yaml:6:7: markers.from[0]: expected `file: PATH.jsonl` or `list: [markers]`"
            ])
        #expect(
            Support.lines(head + "    - { file: a.jsonl, list: [] }\n") == [
                "p.yaml:6:24: markers.from[0].list: a source is either `file` or `list`; write another `- list:` entry"
            ])
    }

    private static func remove(_ key: String, at path: String, from document: inout [String: Any]) {
        switch path {
        case "": document[key] = nil
        case "captions[]":
            var captions = document["captions"] as? [[String: Any]] ?? []
            captions[0][key] = nil
            document["captions"] = captions
        case "replay.shorts", "replay.reel", "replay.storyboard":
            var replay = document["replay"] as? [String: Any] ?? [:]
            let name = String(path.dropFirst("replay.".count))
            var section = replay[name] as? [String: Any] ?? [:]
            section[key] = nil
            replay[name] = section
            document["replay"] = replay
        case "renditions[]":
            var renditions = document["renditions"] as? [[String: Any]] ?? []
            renditions[0][key] = nil
            document["renditions"] = renditions
        case "renditions[].video", "renditions[].audio":
            let section = path == "renditions[].video" ? "video" : "audio"
            var renditions = document["renditions"] as? [[String: Any]] ?? []
            var settings = renditions[1][section] as? [String: Any] ?? [:]
            settings[key] = nil
            renditions[1][section] = settings
            document["renditions"] = renditions
        case "output.publish[]":
            var output = document["output"] as? [String: Any] ?? [:]
            var targets = output["publish"] as? [[String: Any]] ?? []
            targets[0][key] = nil
            output["publish"] = targets
            document["output"] = output
        case "markers.from[].list[]":
            var markers = document["markers"] as? [String: Any] ?? [:]
            var sources = markers["from"] as? [[String: Any]] ?? []
            var list = sources[1]["list"] as? [[String: Any]] ?? []
            list[0][key] = nil
            sources[1]["list"] = list
            markers["from"] = sources
            document["markers"] = markers
        default:
            var section = document[path] as? [String: Any] ?? [:]
            section[key] = nil
            document[path] = section
        }
    }

    @Test func schemaDefaultsAreTheDecodersDefaults() throws {
        let defaults = Self.defaults(try Self.loadSchema())
        let spec = try #require(Support.decode("version: 1\nname: x\ninput: {url: a.mp4}\n"))
        let checks: [String: (Any) -> Bool] = [
            "output.directory": { $0 as? String == spec.output.directory },
            "output.container": { $0 as? String == spec.output.container.rawValue },
            "output.segment": { ($0 as? String).flatMap(DurationText.parse) == spec.output.segmentDuration },
            "output.live_window": { $0 as? Int == spec.output.liveWindow },
            "input.listen": { $0 as? Bool == spec.input.listen },
            "input.rtmp_server": { $0 as? String == spec.input.rtmpServer.rawValue },
            "markers.class": { $0 as? String == MarkersSpec.defaultClassName },
            "markers.align": { $0 as? Bool == MarkersSpec().align },
            "markers.carry": { value in
                Set((value as? [String] ?? []).compactMap(MarkerCarriage.init(rawValue:)))
                    == MarkersSpec.defaultCarriage
            },
            "replay.chapters": { $0 as? String == ReplayOptions().chapters.rawValue },
            "replay.mp4": { $0 as? Bool == ReplayOptions().mp4 },
            "replay.clips": { $0 as? String == ReplayOptions().clips.rawValue },
            "replay.thumbnails": { $0 as? Bool == ReplayOptions().thumbnails },
            "replay.thumbnail_width": { $0 as? Int == ReplayOptions().thumbnailWidth },
            "replay.language": { $0 as? String == ReplayOptions().language },
            "replay.force": { $0 as? Bool == ReplayOptions().force },
            "replay.posters": { $0 as? Bool == ReplayOptions().posters },
            "replay.storyboard": { $0 as? Bool == (ReplayOptions().storyboard != nil) },
            "replay.storyboard.interval": { $0 as? String == "10s" && StoryboardOptions().intervalMilliseconds == 10_000 },
            "replay.storyboard.tile_width": { $0 as? Int == StoryboardOptions().tileWidth },
            "replay.storyboard.columns": { $0 as? Int == StoryboardOptions().columns },
            "replay.storyboard.rows": { $0 as? Int == StoryboardOptions().rows },
            "replay.shorts.size": { $0 as? String == "\(ShortOptions().width)x\(ShortOptions().height)" },
            "replay.shorts.fit": { $0 as? String == ShortOptions().fit.rawValue },
            "replay.shorts.pre_roll": { ($0 as? String).flatMap(DurationText.parse)?.milliseconds == ShortOptions().preRollMilliseconds },
            "replay.shorts.post_roll": { ($0 as? String).flatMap(DurationText.parse)?.milliseconds == ShortOptions().postRollMilliseconds },
            "replay.shorts.min": { ($0 as? String).flatMap(DurationText.parse)?.milliseconds == ShortOptions().minimumMilliseconds },
            "replay.shorts.max": { ($0 as? String).flatMap(DurationText.parse)?.milliseconds == ShortOptions().maximumMilliseconds },
            "replay.shorts.title": { $0 as? Bool == ShortOptions().title },
            "replay.shorts.price": { $0 as? Bool == ShortOptions().price },
            "replay.shorts.font": { $0 as? String == ShortOptions.defaultFont },
            "replay.shorts.loudness": { ($0 as? NSNumber)?.doubleValue == ShortOptions().loudnessTarget },
            "replay.shorts.true_peak": { ($0 as? NSNumber)?.doubleValue == ShortOptions().truePeakLimit },
            "replay.shorts.upscale": { $0 as? Bool == ShortOptions().upscale },
            "replay.shorts.preset": { $0 as? String == ShortOptions().preset },
            "replay.shorts.quality": { $0 as? Int == ShortOptions().quality },
            "replay.reel.count": { $0 as? Int == ReelOptions().count },
            "replay.reel.order": { $0 as? String == ReelOptions().order.rawValue },
            "replay.reel.moment": { ($0 as? String).flatMap(DurationText.parse)?.milliseconds == ReelOptions().momentMilliseconds },
            "renditions[].video.codec": { $0 as? String == VideoSpec().codec },
            "renditions[].video.preset": { $0 as? String == VideoSpec().preset },
            "renditions[].audio.codec": { $0 as? String == AudioSettings().codec },
            "renditions[].audio.sample_rate": { $0 as? Int == AudioSettings().sampleRate },
            "renditions[].audio.channels": { $0 as? Int == AudioSettings().channels },
            "renditions[].audio.multichannel": { $0 as? Bool == AudioSettings().multichannel },
            "transcode.deterministic": { $0 as? Bool == TranscodeSpec().deterministic },
            "output.publish[].finish_timeout": {
                ($0 as? String).flatMap(DurationText.parse) == PublishSpec.defaultFinishTimeout
            },
            "renditions": { value in
                let entries = value as? [[String: Any]] ?? []
                return entries.map {
                    RenditionSpec(name: $0["name"] as? String ?? "", copy: $0["copy"] as? Bool ?? false)
                }
                    == spec.renditions
            },
        ]
        #expect(Set(defaults.keys) == Set(checks.keys), "every schema default is checked here, and only those")
        for (path, check) in checks {
            let value = try #require(defaults[path], "schema has no default for `\(path)`")
            #expect(check(value), "schema default of `\(path)` is \(value)")
        }
        #expect(spec.output == OutputSpec())
        #expect(spec.renditions == RenditionSpec.defaultRenditions)
        #expect(spec.markers == nil)
        #expect(Support.decode("version: 1\nname: x\ninput: {url: a.mp4}\nmarkers: {}\n")?.markers == MarkersSpec())
        #expect(spec.replay == nil)
        #expect(Support.decode("version: 1\nname: x\ninput: {url: a.mp4}\nreplay: {}\n")?.replay == ReplaySpec())
        // The default directory depends on output.directory and name, so the schema only describes it.
        #expect(defaults["replay.directory"] == nil)
    }

    @Test func schemaEnumsAndBoundsMatch() throws {
        let schema = try Self.loadSchema()
        #expect(try Self.property(schema, "", "version")["const"] as? Int == PipelineSpec.supportedVersion)
        #expect(
            try Self.property(schema, "output", "container")["enum"] as? [String] == Container.allCases.map(\.rawValue))
        let playlists = try Self.property(schema, "output", "playlists")["items"] as? [String: Any]
        #expect(playlists?["enum"] as? [String] == PlaylistKind.allCases.map(\.rawValue))
        let window = try Self.property(schema, "output", "live_window")
        #expect(window["minimum"] as? Int == OutputSpec.minimumLiveWindow)
        let segment = try Self.property(schema, "output", "segment")
        #expect(segment["minimum"] as? Int64 == OutputSpec.minimumSegmentDuration.milliseconds / 1000)
        #expect(segment["maximum"] as? Int64 == OutputSpec.maximumSegmentDuration.milliseconds / 1000)
        #expect(try Self.property(schema, "renditions[]", "preset")["enum"] as? [String] == LadderPreset.all.map(\.name))
        #expect(try Self.property(schema, "renditions[].video", "preset")["enum"] as? [String] == VideoSettings.presets)
        #expect(try Self.property(schema, "renditions[].video", "profile")["enum"] as? [String] == VideoSettings.profiles)
        #expect(try Self.property(schema, "renditions[].video", "codec")["enum"] as? [String] == VideoSettings.codecs)
        #expect(try Self.property(schema, "renditions[].audio", "codec")["enum"] as? [String] == AudioSettings.codecs)
        #expect(
            try Self.property(schema, "renditions[].audio", "sample_rate")["enum"] as? [Int] == AudioSettings.sampleRates)
        #expect(
            try Self.property(schema, "renditions[].audio", "channels")["maximum"] as? Int == AudioSettings.maximumChannels)
        let carry = try Self.property(schema, "markers", "carry")["items"] as? [String: Any]
        #expect(carry?["enum"] as? [String] == MarkerCarriage.allCases.map(\.rawValue))
        #expect(
            try Self.property(schema, "markers.from[].list[]", "title")["maxLength"] as? Int
                == Marker.maximumTitleLength)
        #expect(
            try Self.property(schema, "markers.from[].list[]", "product")["maxLength"] as? Int
                == Marker.maximumProductLength)
        let marker = try #require(Self.objectSchemas(schema)["markers.from[].list[]"])
        #expect(Set(marker["required"] as? [String] ?? []) == ["title", "url", "start"])

        let replay = try #require(Self.objectSchemas(schema)["replay"])
        // `replay:` with no value (null) takes every default, so the schema accepts null there.
        #expect(Set(replay["type"] as? [String] ?? []) == ["object", "null"])
        #expect(replay["required"] == nil)
        #expect(
            try Self.property(schema, "replay", "chapters")["enum"] as? [String]
                == ReplayOptions.ChapterMode.allCases.map(\.rawValue))
        let clips = try Self.property(schema, "replay", "clips")["enum"] as? [Any] ?? []
        #expect(Set(clips.compactMap { $0 as? String }) == Set(ReplayOptions.ClipMode.allCases.map(\.rawValue)))
        #expect(clips.filter { $0 is Bool }.count == 2, "clips also takes true and false")
        let width = try Self.property(schema, "replay", "thumbnail_width")
        #expect(width["minimum"] as? Int == 16)
        #expect(width["maximum"] as? Int == 3840)
        let head = "version: 1\nname: x\ninput: {url: a.mp4}\nreplay: { thumbnail_width: "
        for (value, valid) in [(15, false), (16, true), (3840, true), (3841, false)] {
            #expect(Support.problems(head + "\(value) }\n").isEmpty == valid, "thumbnail_width \(value)")
        }
    }

    @Test(arguments: ["en", "pt-BR", "zh-Hant-TW", "es-419", "en US", "en_US", "", "é", "en.US", "EN"])
    func schemaLanguagePatternAgreesWithTheDecoder(tag: String) throws {
        let pattern = try #require(try Self.property(try Self.loadSchema(), "replay", "language")["pattern"] as? String)
        let expression = try NSRegularExpression(pattern: pattern)
        let matches = expression.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) != nil
        let text = "version: 1\nname: x\ninput: {url: a.mp4}\nreplay: { language: \"\(tag)\" }\n"
        #expect(matches == Support.problems(text).isEmpty, "`\(tag)`")
    }

    @Test(arguments: [
        "com.example.product", "com.cuepoint.product", "a.b", "A-1.b2", "product", "com..x", ".com.x", "com.x.",
        "com.-x", "com.ex ample", "com.exämple", "",
    ])
    func schemaClassPatternAgreesWithTheDecoder(name: String) throws {
        let pattern = try #require(try Self.property(try Self.loadSchema(), "markers", "class")["pattern"] as? String)
        let expression = try NSRegularExpression(pattern: pattern)
        let matches = expression.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        #expect(matches == MarkersSpec.isValidClassName(name), "`\(name)`")
    }

    @Test(arguments: [
        "p-0001", "a", "SKU:1.2_3", String(repeating: "x", count: 64), String(repeating: "x", count: 65), "", "p 1",
        "p/1", "é",
    ])
    func schemaMarkerIDPatternAgreesWithTheDecoder(id: String) throws {
        let pattern = try #require(
            try Self.property(try Self.loadSchema(), "markers.from[].list[]", "id")["pattern"] as? String)
        let expression = try NSRegularExpression(pattern: pattern)
        let matches = expression.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil
        #expect(matches == Marker.isValidID(id), "`\(id)`")
    }

    @Test(arguments: ["spring-sale", "a", "0", "a.b_c-d", "Spring", "-a", ".a", "a b", "é", "", "a/b", "ab..", "_x"])
    func schemaNamePatternAgreesWithTheDecoder(name: String) throws {
        let schema = try Self.loadSchema()
        for (path, key) in [("", "name"), ("renditions[]", "name")] {
            let pattern = try #require(try Self.property(schema, path, key)["pattern"] as? String)
            let expression = try NSRegularExpression(pattern: pattern)
            let range = NSRange(name.startIndex..., in: name)
            let matches = expression.firstMatch(in: name, range: range) != nil
            #expect(matches == PipelineDecoder.isValidName(name), "`\(name)` at `\(path).\(key)`")
        }
    }

    @Test(arguments: [
        "6s", "6", "1.5s", "500ms", "1m", "1h30m", ".5s", "1min", "6 s", "6seconds", "s", "1.s", "", "6S",
    ])
    func schemaDurationPatternAgreesWithDurationText(text: String) throws {
        let pattern = try #require(try Self.property(try Self.loadSchema(), "output", "segment")["pattern"] as? String)
        let expression = try NSRegularExpression(pattern: pattern)
        let matches = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        #expect(matches == (DurationText.parse(text) != nil), "`\(text)`")
    }
}
