/// A multivariant (master) playlist: the list of variants a player chooses from, as a value.
///
/// Rendered as `#EXTM3U`, EXT-X-INDEPENDENT-SEGMENTS when set, then one EXT-X-STREAM-INF and URI
/// line per variant. No EXT-X-VERSION is written: nothing here needs more than version 1
/// (AVERAGE-BANDWIDTH and FRAME-RATE need no version, bis §8), and the RFC says the version
/// SHOULD NOT be higher than needed; the absence of the tag means version 1.
public struct MultivariantPlaylist: Hashable, Sendable {
    /// Writes EXT-X-INDEPENDENT-SEGMENTS: every segment of every variant starts with a key frame
    /// and decodes on its own.
    public var independentSegments: Bool
    /// The variants, in the order written.
    public var variants: [VariantStream]

    public init(independentSegments: Bool = false, variants: [VariantStream] = []) {
        self.independentSegments = independentSegments
        self.variants = variants
    }

    /// The protocol version the content needs: always 1, so no EXT-X-VERSION is written.
    public var version: Int { 1 }

    /// The playlist text, every line ending with `\n`.
    public func render() -> String {
        var lines = ["#EXTM3U"]
        if independentSegments { lines.append("#EXT-X-INDEPENDENT-SEGMENTS") }
        for variant in variants {
            lines.append("#EXT-X-STREAM-INF:\(variant.attributeList.text)")
            lines.append(variant.uri)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
