import CuepointFFmpeg
import CuepointHLS
import CuepointTime
import Foundation

/// One rendition's muxing: a libavformat muxer per epoch whose output is switched from
/// segment file to segment file, plus the init section for fMP4.
///
/// MPEG-TS: one `mpegts` muxer per epoch, so continuity counters run on across segments;
/// PAT/PMT are re-sent at the start of every segment (`mpegts_flags=resend_headers`), so
/// each segment decodes on its own.
/// fMP4: one `mp4` muxer per epoch in `frag_custom` mode. `delay_moov` lets the muxer see
/// the first packets before it writes `moov` (needed when codec configuration arrives
/// in-band, such as ADTS AAC from MPEG-TS); the first flush writes `ftyp`+`moov` into the init
/// section and each later flush one `moof`+`mdat` fragment into a segment.
///
/// Owned by the muxing thread.
final class RenditionOutput: SegmentOutput {
    let name: String
    let container: Container
    let store: any Store
    /// The names of the rendition's files.
    let layout: RecordingLayout
    /// The input streams this rendition carries, in output order.
    private(set) var streams: [StreamInfo]
    /// A transcoded rendition's encoders, by the key its packets are written with (set for each
    /// epoch before its first segment opens); empty for a copy rendition.
    var encoders: [(key: Int, encoder: Encoder)] = []
    /// `fflags=+bitexact`: no version strings in the output, so repeated runs are byte-identical.
    let bitexact: Bool
    /// MPEG-TS: keep the timestamps as given even when the first decoding time is negative
    /// (`avoid_negative_ts=disabled`; the muxer's 1.4 s offset absorbs a few frames of B-frame
    /// delay). By default the muxer shifts a whole rendition by its own B-frame delay, and
    /// renditions encoded with and without B-frames would no longer share timestamps.
    var keepsTimestamps = false
    /// Whether markers are carried in-band: a timed-ID3 data stream in TS, `emsg` boxes in fMP4.
    let carriesTimedMetadata: Bool
    /// The time base of the cut stream, in which timed metadata is stamped.
    private(set) var metadataTimeBase: Rational

    private var muxer: Muxer?
    private var outputIndex: [Int: Int] = [:]
    private var segmentFile: (any StoreFile)?
    private var initSink: MemorySink?
    /// The number of the latest init section (`init.mp4` is 1, `init_N.mp4` is N). A resumed
    /// recording sets it to the highest on disk, so the next epoch's section gets a new name.
    var initNumber = 0
    private var adtsFilters: [Int: BitstreamFilter] = [:]
    /// The AAC input streams, by index: their packets may carry ADTS headers.
    private lazy var aacStreams: [Int: StreamInfo] = Dictionary(
        uniqueKeysWithValues: streams.filter { $0.codec == .aac }.map { ($0.index, $0) })
    private let filteredPacket = Packet()
    /// The init section of the current epoch (fMP4).
    private(set) var initURI: String?

    private var metadataStream: Int?
    /// `emsg` boxes for the open fMP4 segment, written ahead of its fragment.
    private var pendingEventMessages: [[UInt8]] = []

    init(
        name: String, container: Container, store: any Store, streams: [StreamInfo],
        carriesTimedMetadata: Bool = false, metadataTimeBase: Rational = .mpegTS, bitexact: Bool = false
    ) {
        self.bitexact = bitexact
        self.name = name
        self.container = container
        self.layout = RecordingLayout(container: container)
        self.store = store
        self.streams = streams
        self.carriesTimedMetadata = carriesTimedMetadata
        self.metadataTimeBase = metadataTimeBase
    }

    /// Puts an ID3 tag in-band at `time` (the cut stream's media time): a packet of the
    /// timed-ID3 stream in TS (FFmpeg's mpegts muxer writes stream_type 0x15 with the ID3
    /// metadata descriptor), an `emsg` version 1 box in the open fMP4 segment.
    func writeTimedMetadata(_ tag: [UInt8], at time: MediaTime, eventID: UInt32) throws {
        guard carriesTimedMetadata, muxer != nil else { return }
        switch container {
        case .ts:
            guard let metadataStream, let muxer else { return }
            let ticks = time.rescaled(to: metadataTimeBase).ticks
            let packet = try Packet(bytes: tag, streamIndex: metadataStream, pts: ticks)
            try muxer.write(packet, toStream: metadataStream)
        case .fmp4:
            let box = EventMessageBox(
                schemeIDURI: EventMessageBox.id3Scheme, value: "https://cuepoint.dev/marker", timescale: 90_000,
                presentationTime: UInt64(max(0, time.rescaled(to: .mpegTS).ticks)), eventDuration: 0xFFFF_FFFF,
                id: eventID, messageData: tag)
            pendingEventMessages.append(try box.encoded())
        }
    }

    /// A new input continues the recording (a live publisher reconnected): the next epoch's
    /// muxer carries its streams. Call between epochs (after ``endEpoch()``).
    func replaceStreams(_ streams: [StreamInfo], metadataTimeBase: Rational) {
        precondition(muxer == nil, "streams change only between epochs")
        self.streams = streams
        self.metadataTimeBase = metadataTimeBase
        aacStreams = Dictionary(uniqueKeysWithValues: streams.filter { $0.codec == .aac }.map { ($0.index, $0) })
    }

    /// The file name of segment `sequence`, relative to the rendition directory.
    func segmentName(_ sequence: Int64) -> String { layout.segment(sequence: sequence) }

    /// Starts writing segment `sequence`; creates the epoch's muxer when none is running.
    func openSegment(sequence: Int64) throws {
        let file = try store.openNew(RecordingLayout.path(segmentName(sequence), in: name))
        segmentFile = file
        if muxer == nil {
            try startMuxer(firstSink: file)
        } else if container == .ts {
            muxer!.sink = file
            try muxer!.setOption("mpegts_flags", "resend_headers")
        }
    }

    /// Writes one packet of input stream `inputStream` into the open segment.
    ///
    /// - Returns: ``Muxer/WriteOutcome/written``, or why the muxer dropped it: timestamps that
    ///   are valid on the input's timeline but not in the output's time base (see
    ///   ``Muxer/write(_:toStream:)``); the caller counts those.
    @discardableResult
    func write(_ packet: Packet, inputStream: Int) throws -> Muxer.WriteOutcome {
        guard let muxer, let index = outputIndex[inputStream] else { return .written }
        if container == .fmp4, let stream = aacStreams[inputStream], packet.size > 2,
            packet.withUnsafeBytes({ $0[0] == 0xFF && $0[1] & 0xF0 == 0xF0 })
        {
            return try writeFiltered(packet, stream: stream, outputIndex: index, muxer: muxer)
        }
        return try muxer.write(packet, toStream: index)
    }

    /// Writes a demuxed packet (the only unit a libavformat muxer takes) into the open segment.
    func write<Unit: MediaUnit>(_ unit: Unit, inputStream: Int) throws -> Muxer.WriteOutcome {
        guard let packet = unit as? Packet else { preconditionFailure("RenditionOutput muxes demuxed packets") }
        return try write(packet, inputStream: inputStream)
    }

    /// ADTS AAC (from MPEG-TS) into MP4: FFmpeg 5.1's mov muxer refuses ADTS headers, so
    /// `aac_adtstoasc` strips them and yields the AudioSpecificConfig, which the output stream
    /// needs before `moov` is written (delay_moov writes it at the first flush).
    private func writeFiltered(_ packet: Packet, stream: StreamInfo, outputIndex index: Int, muxer: Muxer) throws
        -> Muxer.WriteOutcome
    {
        let filter = try adtsFilters[stream.index] ?? BitstreamFilter(name: "aac_adtstoasc", stream: stream)
        adtsFilters[stream.index] = filter
        try filter.send(packet)
        var outcome = Muxer.WriteOutcome.written
        while try filter.receive(into: filteredPacket) {
            if !muxer.hasExtradata(stream: index), !filter.outputExtradata.isEmpty {
                try muxer.setExtradata(filter.outputExtradata, stream: index)
            }
            let written = try muxer.write(filteredPacket, toStream: index)
            if written != .written { outcome = written }
        }
        return outcome
    }

    /// Completes the open segment: flushes the muxer into it and gives it its final name.
    ///
    /// - Returns: the segment's size in bytes.
    func closeSegment() throws -> Int64 {
        guard let muxer, let file = segmentFile else { return 0 }
        if container == .fmp4 {
            if let initSink {
                // delay_moov: the first flush writes only ftyp+moov.
                try muxer.flush()
                let initSection = carriesTimedMetadata ? RenditionOutput.addingBrand("aid3", to: initSink.bytes) : initSink.bytes
                try store.create(RecordingLayout.path(initURI!, in: name), with: initSection)
                self.initSink = nil
            }
            muxer.sink = file
            // emsg boxes precede the fragment's moof (ISO/IEC 23009-1 §5.10.3.3).
            for box in pendingEventMessages { try box.withUnsafeBytes { try file.write($0) } }
            pendingEventMessages = []
        }
        try muxer.flush()
        segmentFile = nil
        try file.commit()
        return file.byteCount
    }

    /// Ends the epoch's muxer (after its last segment closed); the next segment starts a new one.
    func endEpoch() throws {
        guard let muxer else { return }
        self.muxer = nil
        let leftover = CountingSink()
        muxer.sink = leftover
        try muxer.finish()
    }

    /// Gives up the open segment after a failure: its temporary file is removed, and the
    /// segments closed before stay as they are.
    func abandon() {
        pendingEventMessages = []
        segmentFile?.discard()
        segmentFile = nil
        muxer?.abandon()
        muxer = nil
    }

    /// Adds a compatible brand to the leading `ftyp` box of an init section (AOM ID3-in-CMAF
    /// signals `emsg` ID3 with `aid3`; FFmpeg 5.1's mov muxer has no option for it). The init
    /// section holds no absolute offsets (no `mdat`), so growing its first box is safe.
    static func addingBrand(_ brand: String, to bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 16, Array(bytes[4..<8]) == Array("ftyp".utf8) else { return bytes }
        let size = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
        guard size >= 16, size <= bytes.count else { return bytes }
        let brands = stride(from: 16, to: size, by: 4).map { Array(bytes[$0..<$0 + 4]) }
        guard !brands.contains(Array(brand.utf8)) else { return bytes }
        let grown = size + 4
        return [UInt8(grown >> 24 & 0xFF), UInt8(grown >> 16 & 0xFF), UInt8(grown >> 8 & 0xFF), UInt8(grown & 0xFF)]
            + bytes[4..<size] + Array(brand.utf8) + bytes[size...]
    }

    // MARK: LL-HLS parts

    /// Completes the open part of the open fMP4 segment: flushes the muxer's buffered samples of
    /// every track as one `moof`+`mdat` fragment (preceded by the part's pending `emsg` boxes),
    /// appends those bytes to the segment file and returns them. The segment file is thus the
    /// concatenation of its parts, byte for byte; `closeSegment()` after the last part adds
    /// nothing (the muxer has no samples left) and gives the file its name.
    ///
    /// The first part of an epoch first writes the init section (`delay_moov`: the first flush
    /// writes only `ftyp`+`moov`), so the init section exists before any part is listed.
    ///
    /// - Returns: the part's bytes; empty for MPEG-TS or when no segment is open.
    func cutPart() throws -> [UInt8] {
        guard container == .fmp4, let muxer, let file = segmentFile else { return [] }
        if let initSink {
            try muxer.flush()
            let bytes = initSink.bytes
            let initSection = carriesTimedMetadata ? RenditionOutput.addingBrand("aid3", to: bytes) : bytes
            try store.create(RecordingLayout.path(initURI!, in: name), with: initSection)
            self.initSink = nil
        }
        let part = MemorySink()
        muxer.sink = part
        for box in pendingEventMessages { try box.withUnsafeBytes { try part.write($0) } }
        pendingEventMessages = []
        try muxer.flush()
        muxer.sink = file
        try part.bytes.withUnsafeBytes { try file.write($0) }
        return part.bytes
    }

    private func startMuxer(firstSink: any StoreFile) throws {
        let muxer = try Muxer(formatName: container == .ts ? "mpegts" : "mp4")
        outputIndex = [:]
        adtsFilters = [:]
        for stream in streams { outputIndex[stream.index] = try muxer.addStream(copying: stream) }
        for (key, encoder) in encoders { outputIndex[key] = try muxer.addStream(encoder: encoder) }
        metadataStream = nil
        switch container {
        case .ts:
            // flush_packets=0: our AVIO is not seekable, and FFmpeg's default would then hand every
            // packet to the sink on its own (one write() per packet); segments are flushed explicitly.
            // PAT/PMT/SDT are re-sent at every segment start, so no periodic repeats are needed
            // within one; max_delay lets the muxer group audio frames into PES packets as the
            // ffmpeg program does (-muxdelay 0.7).
            var options: [String: String] = [
                "flush_packets": "0", "max_delay": "700000", "pat_period": "3600", "sdt_period": "3600",
            ]
            if bitexact { options["fflags"] = "+bitexact" }
            if keepsTimestamps { options["avoid_negative_ts"] = "disabled" }
            if carriesTimedMetadata {
                metadataStream = try muxer.addDataStream(codec: .timedID3, timeBase: metadataTimeBase)
                // A sparse stream must not hold back the interleaving queue for its default 10 s.
                options["max_interleave_delta"] = "500000"
            }
            muxer.sink = firstSink
            try muxer.writeHeader(options: options)
        case .fmp4:
            initNumber += 1
            initURI = RecordingLayout.initSection(number: initNumber)
            let sink = MemorySink()
            initSink = sink
            muxer.sink = sink
            var options = ["movflags": "+frag_custom+delay_moov+default_base_moof+skip_trailer", "flush_packets": "0"]
            if bitexact { options["fflags"] = "+bitexact" }
            try muxer.writeHeader(options: options)
        }
        self.muxer = muxer
    }
}
