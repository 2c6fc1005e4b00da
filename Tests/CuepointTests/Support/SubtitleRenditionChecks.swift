import CuepointHLS
import CuepointTestSupport
import Foundation
import Testing

/// Checks, by independent readers, that a folder's `master.m3u8` has English and French
/// subtitle renditions that follow a media playlist: the `m3u8` package (PyPI) reads the master
/// and each subtitle playlist, and GStreamer's hlsdemux2 plays the master with its text streams.
/// Shared by the recording's and the replay's caption tests.
enum SubtitleRenditionChecks {
    /// The `m3u8` package's view: two SUBTITLES renditions (en, the default; fr), each playlist
    /// with `media`'s segment durations and an end, every variant naming the `subs` group. A
    /// missing package is a recorded issue (the test setup installs it), never a pass.
    static func m3u8Package(master: URL, media: MediaPlaylist) throws {
        guard M3U8Package.isAvailable else {
            Issue.record("python3 cannot import m3u8 (scripts/setup.sh --test installs it)")
            return
        }
        let read = try ExternalProgram.run(
            try #require(ExternalProgram.which("python3")),
            [Repository.root.appendingPathComponent("Tests/Support/read_subtitles.py").path, master.path])
        try #require(read.status == 0, "read_subtitles.py: \(read.stderrText)")
        let object = try #require(try JSONSerialization.jsonObject(with: read.stdout) as? [String: Any])
        let renditions = object["media"] as? [[String: Any]] ?? []
        #expect(renditions.map { $0["type"] as? String } == ["SUBTITLES", "SUBTITLES"])
        #expect(renditions.map { $0["language"] as? String } == ["en", "fr"])
        #expect(renditions.first?["default"] as? String == "YES" && renditions.last?["default"] as? String != "YES")
        for rendition in renditions {
            let playlist = rendition["playlist"] as? [String: Any] ?? [:]
            let segments = playlist["segments"] as? [[String: Any]] ?? []
            #expect(segments.map { $0["duration"] as? Double } == media.segments.map { Double($0.durationMilliseconds) / 1000 })
            #expect(playlist["endlist"] as? Bool == true)
        }
        #expect((object["variants"] as? [[String: Any]])?.map { $0["subtitles"] as? String } == ["subs"])
    }

    /// GStreamer's hlsdemux2 playing `folder`'s master with the English subtitles
    /// (`Tests/Support/gst_subtitles.py`): its report, after checking it played and saw both
    /// text streams; nil (with a recorded issue) when GStreamer is missing.
    static func gstreamer(serving folder: URL) throws -> [String: Any]? {
        guard GStreamer.isInstalled else {
            Issue.record("GStreamer is not installed (scripts/setup.sh --test installs it)")
            return nil
        }
        let server = try ServedDirectory(folder)
        defer { server.stop() }
        let played = try ExternalProgram.run(
            "/usr/bin/python3",
            [Repository.root.appendingPathComponent("Tests/Support/gst_subtitles.py").path,
             "http://127.0.0.1:\(server.port)/master.m3u8", "--language", "en"])
        let report = try #require(try JSONSerialization.jsonObject(with: played.stdout) as? [String: Any], "\(played.stderrText)")
        #expect(report["ok"] as? Bool == true, "\(report)")
        #expect((report["text_streams"] as? [[String: Any]])?.compactMap { $0["language"] as? String } == ["en", "fr"])
        return report
    }

    /// What GStreamer's report says of `english`'s cues: the texts it delivered (as plain text:
    /// GStreamer hands text on as Pango markup, `&` escaped once more) and, for each delivered cue
    /// found in the file, its start minus the file's start, in seconds.
    static func cueTiming(_ report: [String: Any], english: WebVTTDocument) -> (seen: [String], offsets: [Double], delivered: Int) {
        let cues = report["cues"] as? [[String: Any]] ?? []
        var offsets: [Double] = []
        for cue in cues {
            guard let text = cue["text"] as? String, let start = cue["start"] as? Double,
                let local = english.cues.first(where: { plain($0.text) == plain(text) })
            else { continue }
            offsets.append(start - Double(local.startMilliseconds) / 1000)
        }
        return (cues.compactMap { $0["text"] as? String }.map(plain), offsets, cues.count)
    }

    /// A cue's text as GStreamer's report and the file are compared: `&amp;` undone.
    static func plain(_ text: String) -> String {
        var text = text
        while text.contains("&amp;") { text = text.replacing("&amp;", with: "&") }
        return text
    }
}
