/// One rendition of the recording: an entry of the `renditions:` list.
///
/// Only stream copy is implemented: every rendition has `copy: true`, and the `video:` and
/// `audio:` keys that will describe transcoding are rejected with a clear error.
public struct RenditionSpec: Sendable, Equatable {
    /// The renditions a file gets when it has no `renditions:` key: one copy named `source`.
    public static let defaultRenditions = [RenditionSpec(name: "source", copy: true)]

    /// The rendition's name (`name:`), unique within the file; names its playlist folder.
    public var name: String
    /// Whether the rendition copies the input's streams without re-encoding (`copy:`).
    public var copy: Bool

    public init(name: String, copy: Bool = true) {
        self.name = name
        self.copy = copy
    }
}
