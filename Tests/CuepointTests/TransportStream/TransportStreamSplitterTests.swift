import CuepointTestSupport
import CuepointFFmpeg
import Foundation
import Testing

@testable import Cuepoint

/// The splitter against libavformat's MPEG-TS demuxer on the same file: the same video packets
/// (timestamps, keyframe flags, order), the same audio timeline.
@Suite(.ownThreads) struct TransportStreamSplitterTests {
    struct Seen: Equatable {
        var stream: Int
        var pts: Int64?
        var dts: Int64?
        var key: Bool
    }

    /// What FFmpeg's demuxer gives for `path`: every packet, and the streams.
    func demuxed(_ path: String) throws -> (packets: [Seen], streams: [StreamInfo], formatName: String) {
        let demuxer = try Demuxer(url: path)
        let packet = Packet()
        var seen: [Seen] = []
        while try demuxer.read(into: packet) {
            seen.append(Seen(stream: packet.streamIndex, pts: packet.pts, dts: packet.dts, key: packet.isKeyframe))
        }
        return (seen, demuxer.streams, demuxer.formatName)
    }

    /// What the splitter gives for the file's bytes, fed `chunk` bytes at a time.
    func split(_ path: String, streams: [TransportStreamSplitter.Stream], chunk: Int) throws -> (
        units: [Seen], durations: [Int: Int64], map: ProgramMap?
    ) {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var splitter = TransportStreamSplitter(streams: streams)
        var units: [Seen] = []
        var durations: [Int: Int64] = [:]
        let collect: (TransportStreamUnit) -> Void = { unit in
            units.append(Seen(stream: unit.streamIndex, pts: unit.pts, dts: unit.dts, key: unit.isKeyframe))
            durations[unit.streamIndex, default: 0] += unit.duration
            #expect(unit.packets.count % 188 == 0)
        }
        bytes.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let end = min(offset + chunk, all.count)
                splitter.feed(UnsafeRawBufferPointer(rebasing: all[offset..<end]), emit: collect)
                offset = end
            }
            splitter.finish(emit: collect)
        }
        return (units, durations, splitter.programMap)
    }

    @Test(arguments: [188 * 7, 1000, 262_072])
    func givesLibavformatsVideoPacketsAndAudioTimeline(chunk: Int) throws {
        let path = Repository.sampleMedia("sample.ts").path
        let reference = try demuxed(path)
        let selection = try InputOpener.select(reference.streams, url: path)
        let streams = try TransportStreamCopy.streams(formatName: reference.formatName, selection: selection).get()
        let result = try split(path, streams: streams, chunk: chunk)
        let video = selection.video!.index, audio = selection.audio!.index

        let referenceVideo = reference.packets.filter { $0.stream == video }
        #expect(result.units.filter { $0.stream == video } == referenceVideo)
        #expect(referenceVideo.filter(\.key).count == 10)  // a 2 s GOP over 20 s

        // FFmpeg's parser splits each audio PES into frames: every PES starts at one of them,
        // and the frames counted add up to the same span.
        let referenceAudio = reference.packets.filter { $0.stream == audio }
        let audioUnits = result.units.filter { $0.stream == audio }
        #expect(!audioUnits.isEmpty)
        #expect(Set(audioUnits.compactMap(\.pts)).isSubset(of: Set(referenceAudio.compactMap(\.pts))))
        #expect(result.durations[audio] == Int64(referenceAudio.count) * 1920)
        #expect(result.map?.streams.map(\.pid).contains(UInt16(selection.video!.id)) == true)
    }

    @Test func dropsBytesOutOfSyncAndFindsTheNextPacket() throws {
        let path = Repository.sampleMedia("sample.ts").path
        let reference = try demuxed(path)
        let selection = try InputOpener.select(reference.streams, url: path)
        let streams = try TransportStreamCopy.streams(formatName: reference.formatName, selection: selection).get()
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.insert(contentsOf: [0x00, 0x12, 0x34], at: 188 * 40)  // three stray bytes between two packets
        var splitter = TransportStreamSplitter(streams: streams)
        var keys = 0
        bytes.withUnsafeBytes { all in
            splitter.feed(all) { if $0.isKeyframe && $0.streamIndex == selection.video!.index { keys += 1 } }
            splitter.finish { if $0.isKeyframe && $0.streamIndex == selection.video!.index { keys += 1 } }
        }
        #expect(splitter.bytesSkipped == 3)
        #expect(keys == 10)
    }
}
