#ifndef CCUEPOINT_ZLIB_SHIM_H
#define CCUEPOINT_ZLIB_SHIM_H

#include <zlib.h>

// zlib's deflateInit2 and inflateInit2 are macros (they pass ZLIB_VERSION and sizeof(z_stream)
// to the real functions), which Swift cannot import: one-line functions in their place.

/// deflateInit2 (windowBits 15 + 16 writes a gzip header and trailer).
static inline int cuepoint_deflateInit2(z_streamp stream, int level, int method, int windowBits, int memLevel,
                                        int strategy) {
    return deflateInit2(stream, level, method, windowBits, memLevel, strategy);
}

/// inflateInit2 (windowBits 15 + 32 reads a gzip or zlib header).
static inline int cuepoint_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
