internal import CCuepointFFmpeg

/// An owned `AVDictionary` built from Swift options, for the `*_open`/`*_write_header` calls
/// that take `AVDictionary **` and leave behind the entries they did not use.
struct OptionDictionary: ~Copyable {
    var pointer: OpaquePointer?

    init(_ options: [String: String]) {
        for (key, value) in options.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&pointer, key, value, 0)
        }
    }

    /// The keys FFmpeg did not consume (unknown or inapplicable options).
    var remainingKeys: [String] {
        var keys: [String] = []
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(pointer, "", entry, AV_DICT_IGNORE_SUFFIX) {
            keys.append(String(cString: next.pointee.key))
            entry = next
        }
        return keys
    }

    deinit {
        var owned = pointer
        av_dict_free(&owned)
    }
}
