internal import CCuepointFFmpeg

/// libavfilter, opened on first use rather than linked: the functions ``FilterGraph`` calls.
///
/// Debian's libavfilter brings about thirty libraries with it (flite's voices, libplacebo,
/// Vulkan, LAPACK, …); loaded at start, their relocated data cost every `cuepoint` process
/// about 9 MB of memory, though only the replay's shorts, posters and storyboards filter
/// pictures. So the library is opened (`dlopen`) the first time a graph is made, and each
/// function is looked up once (`dlsym`) with the type libavfilter's own header declares.
struct AVFilterLibrary {
    let getByName: cuepoint_avfilter_get_by_name_fn
    let graphAlloc: cuepoint_avfilter_graph_alloc_fn
    let graphConfig: cuepoint_avfilter_graph_config_fn
    let graphCreateFilter: cuepoint_avfilter_graph_create_filter_fn
    let graphFree: cuepoint_avfilter_graph_free_fn
    let graphParse: cuepoint_avfilter_graph_parse_ptr_fn
    let inOutAlloc: cuepoint_avfilter_inout_alloc_fn
    let inOutFree: cuepoint_avfilter_inout_free_fn
    let sourceAddFrame: cuepoint_av_buffersrc_add_frame_flags_fn
    let sinkGetFrame: cuepoint_av_buffersink_get_frame_fn
    let sinkSetFrameSize: cuepoint_av_buffersink_set_frame_size_fn
    let sinkType: cuepoint_av_buffersink_get_type_fn
    let sinkTimeBase: cuepoint_av_buffersink_get_time_base_fn
    let sinkFormat: cuepoint_av_buffersink_get_format_fn
    let sinkFrameRate: cuepoint_av_buffersink_get_frame_rate_fn
    let sinkWidth: cuepoint_av_buffersink_get_w_fn
    let sinkHeight: cuepoint_av_buffersink_get_h_fn
    let sinkSampleAspectRatio: cuepoint_av_buffersink_get_sample_aspect_ratio_fn
    let sinkSampleRate: cuepoint_av_buffersink_get_sample_rate_fn
    let sinkChannelLayout: cuepoint_av_buffersink_get_ch_layout_fn

    /// The library, opened once per process (a `static let` initialiser runs exactly once).
    nonisolated(unsafe) private static let loaded: Result<AVFilterLibrary, FFmpegError> = load()

    /// The library's functions.
    ///
    /// - Throws: `FFmpegError` naming `dlopen` and the library's file when it cannot be opened
    ///   (not installed), or `dlsym` and the function a different build lacks.
    static func shared() throws(FFmpegError) -> AVFilterLibrary { try loaded.get() }

    private static func load() -> Result<AVFilterLibrary, FFmpegError> {
        let file = String(cString: cuepoint_avfilter_soname())
        guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            return .failure(
                FFmpegError(
                    code: .noSuchFile, function: "dlopen",
                    message: "\(file) cannot be opened (\(reason)): install FFmpeg's libavfilter "
                        + "(Debian: apt-get install libavfilter8), which filtering pictures and sound needs"))
        }
        do throws(FFmpegError) {
            func symbol<Function>(_ name: String, as type: Function.Type) throws(FFmpegError) -> Function {
                guard let address = dlsym(handle, name) else {
                    throw FFmpegError(
                        code: .noSuchFile, function: "dlsym",
                        message: "\(file) has no function \(name): install the libavfilter of the FFmpeg "
                            + "cuepoint was built with")
                }
                return unsafeBitCast(address, to: type)
            }
            return .success(
                AVFilterLibrary(
                    getByName: try symbol("avfilter_get_by_name", as: cuepoint_avfilter_get_by_name_fn.self),
                    graphAlloc: try symbol("avfilter_graph_alloc", as: cuepoint_avfilter_graph_alloc_fn.self),
                    graphConfig: try symbol("avfilter_graph_config", as: cuepoint_avfilter_graph_config_fn.self),
                    graphCreateFilter: try symbol(
                        "avfilter_graph_create_filter", as: cuepoint_avfilter_graph_create_filter_fn.self),
                    graphFree: try symbol("avfilter_graph_free", as: cuepoint_avfilter_graph_free_fn.self),
                    graphParse: try symbol("avfilter_graph_parse_ptr", as: cuepoint_avfilter_graph_parse_ptr_fn.self),
                    inOutAlloc: try symbol("avfilter_inout_alloc", as: cuepoint_avfilter_inout_alloc_fn.self),
                    inOutFree: try symbol("avfilter_inout_free", as: cuepoint_avfilter_inout_free_fn.self),
                    sourceAddFrame: try symbol(
                        "av_buffersrc_add_frame_flags", as: cuepoint_av_buffersrc_add_frame_flags_fn.self),
                    sinkGetFrame: try symbol("av_buffersink_get_frame", as: cuepoint_av_buffersink_get_frame_fn.self),
                    sinkSetFrameSize: try symbol(
                        "av_buffersink_set_frame_size", as: cuepoint_av_buffersink_set_frame_size_fn.self),
                    sinkType: try symbol("av_buffersink_get_type", as: cuepoint_av_buffersink_get_type_fn.self),
                    sinkTimeBase: try symbol("av_buffersink_get_time_base", as: cuepoint_av_buffersink_get_time_base_fn.self),
                    sinkFormat: try symbol("av_buffersink_get_format", as: cuepoint_av_buffersink_get_format_fn.self),
                    sinkFrameRate: try symbol(
                        "av_buffersink_get_frame_rate", as: cuepoint_av_buffersink_get_frame_rate_fn.self),
                    sinkWidth: try symbol("av_buffersink_get_w", as: cuepoint_av_buffersink_get_w_fn.self),
                    sinkHeight: try symbol("av_buffersink_get_h", as: cuepoint_av_buffersink_get_h_fn.self),
                    sinkSampleAspectRatio: try symbol(
                        "av_buffersink_get_sample_aspect_ratio", as: cuepoint_av_buffersink_get_sample_aspect_ratio_fn.self),
                    sinkSampleRate: try symbol(
                        "av_buffersink_get_sample_rate", as: cuepoint_av_buffersink_get_sample_rate_fn.self),
                    sinkChannelLayout: try symbol(
                        "av_buffersink_get_ch_layout", as: cuepoint_av_buffersink_get_ch_layout_fn.self)))
        } catch {
            dlclose(handle)
            return .failure(error)
        }
    }
}
