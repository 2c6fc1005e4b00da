#ifndef CCUEPOINT_FFMPEG_SHIM_H
#define CCUEPOINT_FFMPEG_SHIM_H

// FFmpeg's headers (Debian's libav*-dev, FFmpeg 5.1). Only CuepointFFmpeg imports this module.
#include <errno.h>
#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libavcodec/bsf.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/opt.h>
#include <libavutil/mathematics.h>
#include <libavutil/channel_layout.h>
#include <libavutil/cpu.h>
#include <libavutil/crc.h>
#include <libavutil/frame.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>
#include <libswscale/swscale.h>
#include <libswresample/swresample.h>

// The shims below exist because these are C macros (function-like or built from FFERRTAG/
// MKTAG expressions) that Swift's importer cannot turn into declarations.

/// AVERROR(e): the negative error code FFmpeg returns for the POSIX errno `e`.
static inline int cuepoint_averror(int posix_error) { return AVERROR(posix_error); }
/// AVERROR_EOF: end of file.
static inline int cuepoint_averror_eof(void) { return AVERROR_EOF; }
/// AVERROR(EAGAIN): output not available in this state, try again after more input.
static inline int cuepoint_averror_eagain(void) { return AVERROR(EAGAIN); }
/// AVERROR_INVALIDDATA: invalid data found when processing input.
static inline int cuepoint_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
/// AVERROR_EXIT: the operation was interrupted by the interrupt callback.
static inline int cuepoint_averror_exit(void) { return AVERROR_EXIT; }
/// AVERROR_STREAM_NOT_FOUND.
static inline int cuepoint_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
/// AVERROR_DEMUXER_NOT_FOUND.
static inline int cuepoint_averror_demuxer_not_found(void) { return AVERROR_DEMUXER_NOT_FOUND; }
/// AV_NOPTS_VALUE: "no timestamp". Becomes nil at the Swift edge.
static inline int64_t cuepoint_nopts_value(void) { return AV_NOPTS_VALUE; }
/// AV_TIME_BASE_Q: microseconds, the time base of AVFormatContext.duration and start_time.
static inline AVRational cuepoint_time_base_q(void) { return AV_TIME_BASE_Q; }

// Not a macro, but a C idiom Swift cannot write safely: FFmpeg 5.1 has no public AVChapter
// constructor, AVFormatContext.chapters is grown with av_dynarray_add_nofree (which takes
// `void *` for the `AVChapter ***` and `int *` for the unsigned nb_chapters), and a failed
// append must free the new chapter. The _nofree variant keeps existing chapters on failure,
// where av_dynarray_add would free the whole array. avformat_free_context frees what is added.
/// Appends a zeroed AVChapter to `s->chapters`; NULL when out of memory.
static inline AVChapter *cuepoint_append_chapter(AVFormatContext *s) {
    AVChapter *chapter = av_mallocz(sizeof(AVChapter));
    if (!chapter) return NULL;
    int count = (int)s->nb_chapters;
    if (av_dynarray_add_nofree(&s->chapters, &count, chapter) < 0) { av_free(chapter); return NULL; }
    s->nb_chapters = (unsigned int)count;
    return chapter;
}

// Not a macro either: av_log_set_callback hands its callback a va_list, which Swift cannot
// receive (CVaListPointer is not representable in a @convention(c) function). This callback
// formats the line in C and passes the text to cuepoint_log_line, which CuepointFFmpeg defines
// in Swift (@_cdecl, FFmpegLogObserver.swift). Lines less severe than both the printed level and
// AV_LOG_WARNING (the most detail an observer asks for) are not even formatted.
void cuepoint_log_line(void *avcl, int level, const char *line);
/// The log callback cuepoint installs: formats each line, then hands it to cuepoint_log_line.
static inline void cuepoint_log_callback(void *avcl, int level, const char *format, va_list arguments) {
    static int print_prefix = 1;
    char line[1024];
    if (level > av_log_get_level() && level > AV_LOG_WARNING) return;
    av_log_format_line2(avcl, level, format, arguments, line, (int)sizeof(line), &print_prefix);
    cuepoint_log_line(avcl, level, line);
}
/// Installs cuepoint_log_callback as FFmpeg's log callback.
static inline void cuepoint_install_log_callback(void) { av_log_set_callback(cuepoint_log_callback); }


// libavfilter is opened on first use (dlopen, by CuepointFFmpeg's AVFilterLibrary), not linked:
// Debian's libavfilter8 brings about thirty libraries with it (flite's voices, libplacebo,
// Vulkan, LAPACK, …) whose relocated data cost every cuepoint process about 9 MB of memory,
// while only the replay's shorts, posters and storyboards filter pictures. These are the types of
// the functions FilterGraph calls, taken from libavfilter's own declarations (`__typeof__` names
// a function's type without referring to its symbol, so nothing is linked).
#include <dlfcn.h>
#include <libavfilter/version.h>
#define CUEPOINT_LATE(name) typedef __typeof__(name) *cuepoint_##name##_fn;
CUEPOINT_LATE(avfilter_get_by_name)
CUEPOINT_LATE(avfilter_graph_alloc)
CUEPOINT_LATE(avfilter_graph_config)
CUEPOINT_LATE(avfilter_graph_create_filter)
CUEPOINT_LATE(avfilter_graph_free)
CUEPOINT_LATE(avfilter_graph_parse_ptr)
CUEPOINT_LATE(avfilter_inout_alloc)
CUEPOINT_LATE(avfilter_inout_free)
CUEPOINT_LATE(av_buffersrc_add_frame_flags)
CUEPOINT_LATE(av_buffersink_get_frame)
CUEPOINT_LATE(av_buffersink_set_frame_size)
CUEPOINT_LATE(av_buffersink_get_type)
CUEPOINT_LATE(av_buffersink_get_time_base)
CUEPOINT_LATE(av_buffersink_get_format)
CUEPOINT_LATE(av_buffersink_get_frame_rate)
CUEPOINT_LATE(av_buffersink_get_w)
CUEPOINT_LATE(av_buffersink_get_h)
CUEPOINT_LATE(av_buffersink_get_sample_aspect_ratio)
CUEPOINT_LATE(av_buffersink_get_sample_rate)
CUEPOINT_LATE(av_buffersink_get_ch_layout)
#undef CUEPOINT_LATE
/// The file name of the libavfilter these headers describe (`libavfilter.so.8`).
#define CUEPOINT_AVFILTER_SONAME "libavfilter.so." AV_STRINGIFY(LIBAVFILTER_VERSION_MAJOR)
static inline const char *cuepoint_avfilter_soname(void) { return CUEPOINT_AVFILTER_SONAME; }

#endif
