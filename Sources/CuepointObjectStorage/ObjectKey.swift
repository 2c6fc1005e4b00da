/// Object keys: a target's prefix joined to a recording's relative paths.
public enum ObjectKey {
    /// `join("shows/spring", "source/seg_000001.m4s")` is `shows/spring/source/seg_000001.m4s`;
    /// an empty prefix leaves the path as it is; slashes at the seam are not doubled.
    public static func join(_ prefix: String, _ relativePath: String) -> String {
        let head = prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix
        let tail = relativePath.hasPrefix("/") ? String(relativePath.dropFirst()) : relativePath
        if head.isEmpty { return tail }
        return head + "/" + tail
    }
}
