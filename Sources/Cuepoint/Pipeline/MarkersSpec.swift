/// Product markers for the job: the `markers:` section of a pipeline file.
///
/// The section says where markers come from (`from:`: JSON-lines files and an inline list, in
/// the format of `docs/markers.md`), how their date ranges are classed (`class:`), where they are
/// carried (`carry:`) and whether segments are cut at them (`align:`). Inline markers are
/// already decoded (by the same ``MarkerDecoder`` as files); files are read when the job starts.
public struct MarkersSpec: Sendable, Equatable {
    /// `class:` when the file does not say.
    public static let defaultClassName = "com.cuepoint.product"
    /// `carry:` when the file does not say: playlists and segments.
    public static let defaultCarriage: Set<MarkerCarriage> = [.daterange, .id3]

    /// The CLASS of the markers' EXT-X-DATERANGE tags (`class:`): reverse-DNS, such as
    /// `com.example.shop.product`.
    public var className: String
    /// Whether a segment boundary is put at each marker's start (`align:`); in copy mode the cut
    /// is at the first keyframe at or after it.
    public var align: Bool
    /// Where markers are carried (`carry:`); never empty.
    public var carry: Set<MarkerCarriage>
    /// JSON-lines files to read (`from: - file:`), in file order, as written (relative paths
    /// resolve against the current working directory).
    public var files: [String]
    /// Markers written in the pipeline file (`from: - list:`), in file order.
    public var inline: [Marker]

    public init(
        className: String = MarkersSpec.defaultClassName,
        align: Bool = false,
        carry: Set<MarkerCarriage> = MarkersSpec.defaultCarriage,
        files: [String] = [],
        inline: [Marker] = []
    ) {
        self.className = className
        self.align = align
        self.carry = carry
        self.files = files
        self.inline = inline
    }

    /// Whether `name` is a reverse-DNS class name: at least two dot-separated labels of ASCII
    /// letters, digits and `-`, each starting with a letter or digit; at most 128 characters.
    public static func isValidClassName(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard name.utf8.count <= 128, labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            guard let first = label.first, first.isASCII, first.isLetter || first.isNumber else { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// Where markers are carried (`markers.carry:`).
public enum MarkerCarriage: String, Sendable, Equatable, Hashable, CaseIterable {
    /// EXT-X-DATERANGE tags in every media playlist.
    case daterange
    /// In-band timed ID3: an ID3 PES stream in TS segments, `emsg` boxes in fMP4 segments.
    case id3
}
