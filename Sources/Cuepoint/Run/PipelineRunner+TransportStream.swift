import CuepointFFmpeg
import CuepointTime
import Foundation
import Logging
import NIOConcurrencyHelpers

// MARK: - Opening the input, and the transport stream copy path
//
// A pipeline that copies an MPEG-TS input into MPEG-TS segments does not need libavformat for
// each packet: FFmpeg probes the input once, then the transport packets go through a
// `TransportStreamSplitter` (PES packets with their timestamps and keyframe flags) and the same
// `RecordingSession` (cuts, playlists, markers) into `TransportStreamOutput`s (the packets as
// they are, PAT/PMT and timed ID3 added). `TransportStreamCopy` decides when it applies.
//
//     file ──read(2)────────┐                                  ┌─► TransportStreamOutput ─► segments
//     UDP ──DatagramSource──┴─► (FFmpeg probes once) ─► splitter ─► RecordingSession
//                                                                  └─► playlists, markers (as before)

extension PipelineRunner {
    /// The opened input, and which path reads it.
    enum OpenedInput {
        /// libavformat demuxes every packet (any input).
        case demuxer(Demuxer)
        /// The transport stream copy path.
        case transportStream(TransportStreamInput, streams: [TransportStreamSplitter.Stream])
        /// Read to its end and released.
        case closed

        var streams: [StreamInfo] {
            switch self {
            case .demuxer(let demuxer): demuxer.streams
            case .transportStream(let input, _): input.streams
            case .closed: []
            }
        }

        var duration: MediaTime? {
            switch self {
            case .demuxer(let demuxer): demuxer.duration
            case .transportStream(let input, _): input.duration
            case .closed: nil
            }
        }

        var openedUptimeNanoseconds: UInt64 {
            switch self {
            case .demuxer(let demuxer): demuxer.openedUptimeNanoseconds
            case .transportStream(let input, _): input.openedUptimeNanoseconds
            case .closed: 0
            }
        }
    }

    /// Opens the input: waits for a live one (nil when stopped first), and takes the transport
    /// stream copy path when it applies, saying which path was taken.
    func openInput(live: LiveInput?, warnings: WarningCollector) throws(CuepointError) -> OpenedInput? {
        let input = spec.input
        let candidate = options.transportStreamCopy ? TransportStreamCopy.source(for: spec) : .failure(.init("turned off"))
        if case .success(.udp(let address)) = candidate {
            return try openDatagrams(address, warnings: warnings)
        }
        let demuxer: Demuxer
        if let live {
            guard let opened = try openLive(live, warnings: warnings) else { return nil }
            demuxer = opened
        } else {
            demuxer = try InputOpener.open(url: input.url, format: input.format, options: input.options, interrupt: interrupt)
        }
        guard case .success(.file(let path)) = candidate else {
            if case .failure(let reason) = candidate { noteReadPath(.demuxer, reason: reason.reason) }
            return .demuxer(demuxer)
        }
        let selection = try InputOpener.select(demuxer.streams, url: inputName)
        switch TransportStreamCopy.streams(formatName: demuxer.formatName, selection: selection) {
        case .success(let streams):
            noteReadPath(.transportStreamCopy, reason: nil)
            return .transportStream(try TransportStreamInput.file(path: path, probe: demuxer), streams: streams)
        case .failure(let reason):
            noteReadPath(.demuxer, reason: reason.reason)
            return .demuxer(demuxer)
        }
    }

    /// A UDP input read by ``DatagramSource``: binds, waits for the first datagrams (until
    /// stopped) and lets FFmpeg probe them. An input that is not MPEG-TS with H.264 or HEVC video
    /// goes on through the probing demuxer (libavformat reads every packet).
    private func openDatagrams(_ address: UDPInputAddress, warnings: WarningCollector) throws(CuepointError) -> OpenedInput? {
        let source = try DatagramSource(
            address: address, timeoutNanoseconds: nil, interrupt: interrupt, displayURL: inputName,
            batchInterval: DatagramSource.batchInterval(shortestUnit: spec.output.partDuration ?? spec.output.segmentDuration))
        var probe: TransportStreamInput.Probe?
        do {
            probe = try TransportStreamInput.probe(source, format: spec.input.format, interrupt: interrupt)
        } catch {
            if error.code == .exit { return nil }
            throw InputOpener.describe(error, url: inputName)
        }
        source.timeoutNanoseconds = readTimeoutNanoseconds
        let selection = try InputOpener.select(probe!.demuxer.streams, url: inputName)
        switch TransportStreamCopy.streams(formatName: probe!.demuxer.formatName, selection: selection) {
        case .success(let streams):
            noteReadPath(.transportStreamCopy, reason: nil)
            let input = probe!.input
            probe = nil  // the probing demuxer and its decoders are freed…
            ProcessMemory.returnFreedMemory()  // …and their memory given back
            return .transportStream(input, streams: streams)
        case .failure(let reason):
            noteReadPath(.demuxer, reason: reason.reason)
            return .demuxer(probe!.demuxer)
        }
    }

    /// How long a live network input may send nothing before it counts as dropped, in nanoseconds.
    var readTimeoutNanoseconds: UInt64 {
        UInt64(max(0, (spec.input.timeout ?? InputSpec.defaultTimeout).rescaled(to: .microseconds).ticks)) * 1000
    }

    private func noteReadPath(_ path: ReadPath, reason: String?) {
        readPath.withLockedValue { $0 = path }
        metrics.setTransportStreamCopy(path == .transportStreamCopy)
        switch path {
        case .transportStreamCopy:
            options.logger.info("\(inputName): MPEG-TS copied into MPEG-TS segments by the transport stream copy path")
        case .demuxer:
            options.logger.info("\(inputName): read with libavformat (transport stream copy path: \(reason ?? "off"))")
        }
    }

    // MARK: Reading

    /// The copy path's read loop: bytes from the input through the splitter into the session,
    /// until the end, a stop, or a drop of a live input.
    func readTransportStream(
        _ input: TransportStreamInput, splitter: inout TransportStreamSplitter, session: RecordingSession,
        followers: [MarkerFileFollower], warnings: WarningCollector
    ) throws(CuepointError) -> Reading {
        let loop = ReadLoop(runner: self, session: session, followers: followers, warnings: warnings)
        loop.totalMilliseconds = input.duration?.milliseconds
        var reading = Reading()
        let handle: (TransportStreamUnit) throws(CuepointError) -> Void = { unit throws(CuepointError) in
            try loop.handle(unit)
        }
        try input.takeProbed { (bytes: UnsafeRawBufferPointer) throws(CuepointError) in
            try splitter.feed(bytes, emit: handle)
        }
        while true {
            let count: Int
            do {
                count = try input.read()
            } catch {
                if error.code == .exit {
                    reading.stopped = true
                } else if LiveInput.isDrop(error, of: spec.input) {
                    reading.dropped = error
                } else {
                    reading.failure =
                        "the input is damaged after \(SecondsText.format(milliseconds: session.latestMediaMilliseconds)) (\(error.message))"
                }
                break
            }
            if count == 0 {
                try splitter.finish(emit: handle)
                break
            }
            try splitter.feed(UnsafeRawBufferPointer(rebasing: input.buffer[0..<count]), emit: handle)
        }
        if splitter.bytesSkipped > 0 {
            warnings.add("\(inputName): \(splitter.bytesSkipped) byte(s) out of MPEG-TS sync were skipped")
        }
        checkTruncation(&reading, session: session, declaredMilliseconds: input.duration?.milliseconds)
        return reading
    }

    /// After the first connection of a UDP input read by the copy path: waits for the sender
    /// to come back while `input.reconnect` allows (the socket stays bound), as ``continueLive``
    /// does for inputs FFmpeg reads.
    func continueTransportStream(
        _ input: TransportStreamInput, after first: Reading, session: RecordingSession,
        outputs: [TransportStreamOutput], followers: [MarkerFileFollower], warnings: WarningCollector
    ) throws(CuepointError) -> Reading {
        var reading = first
        while !reading.stopped {
            guard let (wait, deadline) = try inputWentAway(&reading, session: session, name: inputName, warnings: warnings)
            else { return reading }
            guard let source = input.source as? DatagramSource else { return Reading() }
            source.timeoutNanoseconds = nil
            source.endsWaitOnData = true
            interrupt.armDeadline(after: Double(deadline - min(deadline, DispatchTime.now().uptimeNanoseconds)) / 1e9)
            let probe: TransportStreamInput.Probe
            do {
                probe = try TransportStreamInput.probe(source, format: spec.input.format, interrupt: interrupt)
                interrupt.disarmDeadline()
            } catch {
                interrupt.disarmDeadline()
                if interrupt.isCancelled { return Reading(stopped: true) }
                if error.code == .exit {
                    warnings.add("\(inputName): no source within \(DurationText.format(wait)); the recording is finalised")
                    return Reading()
                }
                return Reading(failure: "the reconnected source cannot be read (\(error.message))")
            }
            source.endsWaitOnData = false
            source.timeoutNanoseconds = readTimeoutNanoseconds
            defer { ProcessMemory.returnFreedMemory() }
            let selection = try InputOpener.select(probe.demuxer.streams, url: inputName)
            if let mismatch = Self.mismatch(between: Array(session.streams.values), and: selection.streams) {
                return Reading(
                    failure: "the reconnected source cannot continue this recording: \(mismatch); what was "
                        + "recorded before it is finalised")
            }
            guard case .success(let streams) = TransportStreamCopy.streams(formatName: probe.demuxer.formatName, selection: selection)
            else {
                return Reading(failure: "the reconnected source is not MPEG-TS with H.264 or HEVC video")
            }
            do {
                try session.inputRestarted(
                    cutStream: selection.cutStream, streams: selection.streams,
                    arrivedAt: arrivalTime(openedAt: probe.demuxer.openedUptimeNanoseconds))
            } catch {
                return Reading(failure: "the reconnected source cannot continue this recording: \(error)")
            }
            metrics.inputReconnected()
            warnings.add("\(inputName): a source reconnected; the recording continues after EXT-X-DISCONTINUITY")
            var splitter = TransportStreamSplitter(streams: streams)
            splitter.onProgram = { association, map in
                for output in outputs { output.useProgram(association: association, map: map) }
            }
            reading = try readTransportStream(
                probe.input, splitter: &splitter, session: session, followers: followers, warnings: warnings)
        }
        return reading
    }
}

/// Which path read a pipeline's input.
public enum ReadPath: String, Sendable {
    /// libavformat demuxed every packet and muxed it again.
    case demuxer
    /// The transport stream copy path: MPEG-TS input cut into MPEG-TS segments as it is.
    case transportStreamCopy = "transport-stream-copy"
}
