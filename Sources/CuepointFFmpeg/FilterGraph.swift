internal import CCuepointFFmpeg
public import CuepointTime

/// A libavfilter graph: frames in through buffer sources, through the filters of a graph
/// description (`scale=360:-2,crop=360:640`, `loudnorm=I=-16`), frames out through buffer sinks.
///
/// ```
/// Frame ──send(to: 0)──► [in] buffer ─► scale ─► crop ─► drawtext ─► buffersink [out] ──receive(from: 0)──► Frame
/// ```
///
/// The graph description uses FFmpeg's filtergraph syntax (the `-filter_complex` language): each
/// ``Input`` is a `buffer` (video) or `abuffer` (audio) source whose output pad is labelled
/// `[label]`, each ``Output`` a `buffersink` or `abuffersink` whose input pad is labelled so. A graph
/// with one input labelled `in` and one output labelled `out` can be written as a plain chain
/// (`scale=360:640,format=yuv420p`): libavfilter links an unlabelled chain's ends to them.
/// Text that goes into an option value (a title for `drawtext`, a file path) must pass through
/// ``quoted(_:)``, which protects it from both levels of the syntax.
///
/// Lifecycle: `init` parses and configures the graph (every filter's formats and sizes are
/// negotiated then, so a typo or an impossible chain fails here, with FFmpeg's own complaint in
/// the message) → `send` frames to an input, `receive` from an output until `.needsInput` →
/// `send(nil, to:)` on every input at the end → `receive` until `.endOfStream`.
/// Owned by one thread. The corresponding FFmpeg type is `AVFilterGraph`.
public final class FilterGraph {
    /// A video source: the `buffer` filter, told what frames it will get.
    public struct VideoInput: Hashable, Sendable {
        /// The pad label in the graph description (`in`, `0:v`).
        public var label: String
        /// Picture size in pixels and pixel layout of every frame sent.
        public var width: Int, height: Int, pixelFormat: PixelFormat
        /// The unit of the frames' `pts` (a decoder's stream time base).
        public var timeBase: Rational
        /// The width:height of one pixel; nil for square pixels.
        public var sampleAspectRatio: Rational?
        /// The nominal frame rate, for filters that need one (`fps`, `tile`); nil when unknown.
        public var frameRate: Rational?

        public init(
            label: String = "in", width: Int, height: Int, pixelFormat: PixelFormat, timeBase: Rational,
            sampleAspectRatio: Rational? = nil, frameRate: Rational? = nil
        ) {
            self.label = label
            self.width = width
            self.height = height
            self.pixelFormat = pixelFormat
            self.timeBase = timeBase
            self.sampleAspectRatio = sampleAspectRatio
            self.frameRate = frameRate
        }

        /// A source for frames like `frame` (its size, format and pixel aspect), stamped in `timeBase`.
        public init(label: String = "in", like frame: Frame, timeBase: Rational, frameRate: Rational? = nil) {
            self.init(
                label: label, width: frame.width, height: frame.height, pixelFormat: frame.pixelFormat,
                timeBase: timeBase, sampleAspectRatio: frame.sampleAspectRatio, frameRate: frameRate)
        }
    }

    /// An audio source: the `abuffer` filter, told what frames it will get.
    public struct AudioInput: Hashable, Sendable {
        /// The pad label in the graph description (`ain`).
        public var label: String
        /// Sample rate in Hz, channel count (FFmpeg's default layout for it) and sample layout of
        /// every frame sent.
        public var sampleRate: Int, channels: Int, sampleFormat: SampleFormat
        /// The unit of the frames' `pts`; nil for one sample (`1/sampleRate`).
        public var timeBase: Rational?

        public init(label: String = "in", sampleRate: Int, channels: Int, sampleFormat: SampleFormat, timeBase: Rational? = nil) {
            self.label = label
            self.sampleRate = sampleRate
            self.channels = channels
            self.sampleFormat = sampleFormat
            self.timeBase = timeBase
        }
    }

    /// Where frames come from.
    public enum Input: Hashable, Sendable {
        case video(VideoInput)
        case audio(AudioInput)

        var label: String {
            switch self {
            case .video(let input): input.label
            case .audio(let input): input.label
            }
        }
    }

    /// Where frames go.
    public enum Output: Hashable, Sendable {
        /// A `buffersink` whose input pad is labelled `label`.
        case video(label: String = "out")
        /// An `abuffersink`; with `frameSize`, every frame but the last has exactly that many
        /// samples per channel (what encoders such as `aac` need: 1024).
        case audio(label: String = "out", frameSize: Int? = nil)

        var label: String {
            switch self {
            case .video(let label): label
            case .audio(let label, _): label
            }
        }
    }

    /// What `receive(from:into:)` found.
    public enum ReceiveOutcome: Sendable, Hashable {
        /// The frame was filled with the next filtered frame.
        case frame
        /// The graph needs more input before this output has another frame (`AVERROR(EAGAIN)`).
        case needsInput
        /// Every input was closed and this output has no more frames (`AVERROR_EOF`).
        case endOfStream
    }

    /// What an output produces, known once the graph is configured.
    public struct OutputFormat: Hashable, Sendable {
        /// The unit of the output frames' `pts`.
        public var timeBase: Rational
        /// Picture size and layout; 0 and `.none` for audio.
        public var width: Int, height: Int, pixelFormat: PixelFormat
        /// The output's frame rate when the graph knows one (nil for variable or unknown).
        public var frameRate: Rational?
        /// The width:height of one output pixel; nil for square (or unknown).
        public var sampleAspectRatio: Rational?
        /// Sample rate in Hz, channel count and layout; 0, 0 and `.none` for video.
        public var sampleRate: Int, channels: Int, sampleFormat: SampleFormat
    }

    private var graph: UnsafeMutablePointer<AVFilterGraph>?
    /// libavfilter's functions (opened on first use, see ``AVFilterLibrary``).
    private let library: AVFilterLibrary
    private var sources: [UnsafeMutablePointer<AVFilterContext>] = []
    private var sinks: [UnsafeMutablePointer<AVFilterContext>] = []

    /// The graph description this graph was made from.
    public let description: String
    /// The format of each output, in the order of the `outputs` given to `init`.
    public private(set) var outputFormats: [OutputFormat] = []

    /// Builds, links and configures the graph.
    ///
    /// - Parameters:
    ///   - description: The filtergraph, in FFmpeg's syntax, with the inputs' and outputs' labels.
    ///   - inputs: The sources, at least one.
    ///   - outputs: The sinks, at least one.
    ///   - threadCount: Threads for filters that slice their work; nil lets FFmpeg choose (one per core).
    /// - Throws: `FFmpegError` naming `avfilter_graph_parse_ptr` (an unknown filter or option, a
    ///   label used twice or never) or `avfilter_graph_config` (formats that cannot be linked, an
    ///   option out of range, a missing font file for `drawtext`), with what FFmpeg logged about it.
    /// - The corresponding FFmpeg functions are `avfilter_graph_alloc`, `avfilter_graph_create_filter`,
    ///   `avfilter_graph_parse_ptr`, `avfilter_graph_config` and `av_buffersink_set_frame_size`.
    public init(_ description: String, inputs: [Input], outputs: [Output], threadCount: Int? = nil) throws(FFmpegError) {
        self.description = description
        guard !inputs.isEmpty, !outputs.isEmpty else {
            throw FFmpegError(
                code: .invalidArgument, function: "FilterGraph",
                message: "a filter graph needs at least one input and one output")
        }
        library = try AVFilterLibrary.shared()
        guard let graph = library.graphAlloc() else {
            throw FFmpegError(code: .noMemory, function: "avfilter_graph_alloc", message: "out of memory")
        }
        self.graph = graph
        if let threadCount { graph.pointee.nb_threads = Int32(threadCount) }
        var logged: [String] = []
        try FFmpegLogObserver.observing(upTo: 24, { logged.append($0.text) }) { () throws(FFmpegError) in
            for input in inputs { sources.append(try createSource(input, in: graph)) }
            for output in outputs { sinks.append(try createSink(output, in: graph)) }
            try parse(description, inputs: inputs, outputs: outputs, logged: { logged })
            let configured = library.graphConfig(graph, nil)
            if configured < 0 {
                throw FFmpegError(
                    code: FFmpegError.Code(rawValue: configured), function: "avfilter_graph_config",
                    message: FilterGraph.message(configured, logged: logged, description: description))
            }
        }
        for (index, output) in outputs.enumerated() {
            if case .audio(_, let frameSize?) = output { library.sinkSetFrameSize(sinks[index], UInt32(frameSize)) }
            outputFormats.append(Self.format(of: sinks[index], library: library))
        }
    }

    deinit { library.graphFree(&graph) }

    /// Sends `frame` to input `input` (its index in the `inputs` given to `init`); nil closes
    /// that input (end of stream). The frame is not consumed: the graph takes a new reference.
    ///
    /// - Throws: `FFmpegError` from `av_buffersrc_add_frame_flags`, for example a frame whose
    ///   size or format differs from the input's when a filter cannot follow the change, or
    ///   `.endOfFile` for a frame sent after `nil`.
    /// - The corresponding FFmpeg function is `av_buffersrc_add_frame_flags` with `AV_BUFFERSRC_FLAG_KEEP_REF`.
    public func send(_ frame: Frame?, to input: Int = 0) throws(FFmpegError) {
        let flags = frame == nil ? 0 : Int32(AV_BUFFERSRC_FLAG_KEEP_REF)
        try FFmpegError.check(
            library.sourceAddFrame(sources[input], frame?.pointer, flags), "av_buffersrc_add_frame_flags")
    }

    /// Takes the next frame of output `output` into `frame`, replacing its contents. Its `pts`
    /// is in ``outputFormats``' `timeBase`.
    ///
    /// - The corresponding FFmpeg function is `av_buffersink_get_frame`.
    public func receive(from output: Int = 0, into frame: Frame) throws(FFmpegError) -> ReceiveOutcome {
        av_frame_unref(frame.pointer)
        let result = library.sinkGetFrame(sinks[output], frame.pointer)
        if result == cuepoint_averror_eagain() { return .needsInput }
        if result == cuepoint_averror_eof() { return .endOfStream }
        try FFmpegError.check(result, "av_buffersink_get_frame")
        return .frame
    }

    /// The value of option `name` of the filter instance `instance`, as the filter holds it
    /// (after the graph description's escaping was undone), or nil when there is no such
    /// filter or option. An instance is named in the description with `@`: `drawtext@title=…`.
    ///
    /// - The corresponding FFmpeg function is `av_opt_get` with `AV_OPT_SEARCH_CHILDREN`.
    public func option(_ name: String, ofFilter instance: String) -> String? {
        guard let graph else { return nil }
        for index in 0..<Int(graph.pointee.nb_filters) {
            guard let filter = graph.pointee.filters[index], let filterName = filter.pointee.name else { continue }
            let full = String(cString: filterName)
            guard full == instance || full.hasSuffix("@" + instance) else { continue }
            var value: UnsafeMutablePointer<UInt8>?
            guard av_opt_get(UnsafeMutableRawPointer(filter), name, AV_OPT_SEARCH_CHILDREN, &value) >= 0, let value
            else { return nil }
            defer { av_free(value) }
            return String(cString: value)
        }
        return nil
    }

    /// `value` written so that it reaches a filter option unchanged, whatever it holds (`'`,
    /// `:`, `,`, `\`, `[`, `;`, spaces at either end, line breaks).
    ///
    /// A graph description is read twice: the graph parser splits it into filters (at `,` `;`
    /// `[` `]`) and undoes one level of quoting, then the filter splits its arguments into
    /// options (at `:`) and undoes another. Each level keeps text between `'` quotes as it is
    /// and reads `\'` outside them as a quote; so the value is quoted for the option level,
    /// and that is quoted again for the graph level.
    ///
    /// The corresponding FFmpeg function (for one level) is `av_get_token`.
    public static func quoted(_ value: String) -> String { quote(quote(value)) }

    private static func quote(_ text: String) -> String {
        "'" + text.replacing("'", with: #"'\''"#) + "'"
    }

    private func createSource(_ input: Input, in graph: UnsafeMutablePointer<AVFilterGraph>) throws(FFmpegError)
        -> UnsafeMutablePointer<AVFilterContext>
    {
        let name: String
        var arguments: [String]
        switch input {
        case .video(let video):
            name = "buffer"
            let aspect = video.sampleAspectRatio ?? Rational(1, 1)
            arguments = [
                "video_size=\(video.width)x\(video.height)", "pix_fmt=\(video.pixelFormat.rawValue)",
                "time_base=\(video.timeBase.numerator)/\(video.timeBase.denominator)",
                "pixel_aspect=\(aspect.numerator)/\(aspect.denominator)",
            ]
            if let rate = video.frameRate { arguments.append("frame_rate=\(rate.numerator)/\(rate.denominator)") }
        case .audio(let audio):
            name = "abuffer"
            let timeBase = audio.timeBase ?? Rational(1, Int64(audio.sampleRate))
            arguments = [
                "time_base=\(timeBase.numerator)/\(timeBase.denominator)", "sample_rate=\(audio.sampleRate)",
                "sample_fmt=\(audio.sampleFormat.name)", "channel_layout=\(Self.defaultLayoutName(channels: audio.channels))",
            ]
        }
        return try createFilter(name, instance: "source:" + input.label, arguments: arguments.joined(separator: ":"), in: graph)
    }

    private func createSink(_ output: Output, in graph: UnsafeMutablePointer<AVFilterGraph>) throws(FFmpegError)
        -> UnsafeMutablePointer<AVFilterContext>
    {
        let name: String
        switch output {
        case .video: name = "buffersink"
        case .audio: name = "abuffersink"
        }
        return try createFilter(name, instance: "sink:" + output.label, arguments: nil, in: graph)
    }

    private func createFilter(
        _ name: String, instance: String, arguments: String?, in graph: UnsafeMutablePointer<AVFilterGraph>
    ) throws(FFmpegError) -> UnsafeMutablePointer<AVFilterContext> {
        guard let filter = library.getByName(name) else {
            throw FFmpegError(
                code: .invalidArgument, function: "avfilter_get_by_name",
                message: "this FFmpeg has no filter named '\(name)'")
        }
        var context: UnsafeMutablePointer<AVFilterContext>?
        let result = library.graphCreateFilter(&context, filter, instance, arguments, nil, graph)
        guard result >= 0, let context else {
            throw FFmpegError(
                code: FFmpegError.Code(rawValue: result < 0 ? result : cuepoint_averror(EINVAL)),
                function: "avfilter_graph_create_filter",
                message: "\(name) \(arguments ?? ""): \(FFmpegError.text(for: result))")
        }
        return context
    }

    /// Links the description between the sources and the sinks.
    private func parse(_ description: String, inputs: [Input], outputs: [Output], logged: () -> [String])
        throws(FFmpegError)
    {
        // The parser's "outputs" are the open output pads it may link to: the sources'. Its
        // "inputs" are the open input pads: the sinks'.
        var openOutputs: UnsafeMutablePointer<AVFilterInOut>?
        var openInputs: UnsafeMutablePointer<AVFilterInOut>?
        defer {
            library.inOutFree(&openOutputs)
            library.inOutFree(&openInputs)
        }
        for (index, input) in inputs.enumerated().reversed() {
            openOutputs = try inOut(label: input.label, filter: sources[index], next: openOutputs)
        }
        for (index, output) in outputs.enumerated().reversed() {
            openInputs = try inOut(label: output.label, filter: sinks[index], next: openInputs)
        }
        let result = library.graphParse(graph, description, &openInputs, &openOutputs, nil)
        if result < 0 {
            throw FFmpegError(
                code: FFmpegError.Code(rawValue: result), function: "avfilter_graph_parse_ptr",
                message: Self.message(result, logged: logged(), description: description))
        }
        var unlinked: [String] = []
        var cursor = openInputs
        while let entry = cursor {
            unlinked.append(entry.pointee.name.map { String(cString: $0) } ?? "?")
            cursor = entry.pointee.next
        }
        cursor = openOutputs
        while let entry = cursor {
            unlinked.append(entry.pointee.name.map { String(cString: $0) } ?? "?")
            cursor = entry.pointee.next
        }
        if !unlinked.isEmpty {
            throw FFmpegError(
                code: .invalidArgument, function: "avfilter_graph_parse_ptr",
                message: "the graph leaves [\(unlinked.joined(separator: "], ["))] unconnected: \(description)")
        }
    }

    private func inOut(
        label: String, filter: UnsafeMutablePointer<AVFilterContext>, next: UnsafeMutablePointer<AVFilterInOut>?
    ) throws(FFmpegError) -> UnsafeMutablePointer<AVFilterInOut> {
        guard let entry = library.inOutAlloc(), let name = av_strdup(label) else {
            throw FFmpegError(code: .noMemory, function: "avfilter_inout_alloc", message: "out of memory")
        }
        entry.pointee.name = name
        entry.pointee.filter_ctx = filter
        entry.pointee.pad_idx = 0
        entry.pointee.next = next
        return entry
    }

    private static func format(of sink: UnsafeMutablePointer<AVFilterContext>, library: AVFilterLibrary) -> OutputFormat {
        let base = library.sinkTimeBase(sink)
        let rate = library.sinkFrameRate(sink)
        let aspect = library.sinkSampleAspectRatio(sink)
        let isVideo = library.sinkType(sink) == AVMEDIA_TYPE_VIDEO
        return OutputFormat(
            timeBase: Rational(Int64(base.num), Int64(base.den)),
            width: isVideo ? Int(library.sinkWidth(sink)) : 0, height: isVideo ? Int(library.sinkHeight(sink)) : 0,
            pixelFormat: isVideo ? PixelFormat(rawValue: library.sinkFormat(sink)) : .none,
            frameRate: rate.num > 0 && rate.den > 0 ? Rational(Int64(rate.num), Int64(rate.den)) : nil,
            sampleAspectRatio: aspect.num > 0 && aspect.den > 0 ? Rational(Int64(aspect.num), Int64(aspect.den)) : nil,
            sampleRate: isVideo ? 0 : Int(library.sinkSampleRate(sink)),
            channels: isVideo ? 0 : channelCount(of: sink, library: library),
            sampleFormat: isVideo ? .none : SampleFormat(rawValue: library.sinkFormat(sink)))
    }

    private static func channelCount(of sink: UnsafeMutablePointer<AVFilterContext>, library: AVFilterLibrary) -> Int {
        var layout = AVChannelLayout()
        defer { av_channel_layout_uninit(&layout) }
        guard library.sinkChannelLayout(sink, &layout) >= 0 else { return 0 }
        return Int(layout.nb_channels)
    }

    /// FFmpeg's name for its default layout of `channels` channels (`mono`, `stereo`, `5.1`).
    private static func defaultLayoutName(channels: Int) -> String {
        var layout = AVChannelLayout()
        av_channel_layout_default(&layout, Int32(channels))
        defer { av_channel_layout_uninit(&layout) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard av_channel_layout_describe(&layout, &buffer, buffer.count) >= 0 else { return "\(channels)c" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// FFmpeg's text for `code` and, when it logged why, its last complaint.
    private static func message(_ code: Int32, logged: [String], description: String) -> String {
        let reason = logged.last(where: { !$0.isEmpty }).map { "\($0); " } ?? ""
        return "\(reason)\(FFmpegError.text(for: code)) in the graph: \(description)"
    }
}
