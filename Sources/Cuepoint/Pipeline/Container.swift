/// The segment container (`output.container:`).
public enum Container: String, Sendable, Equatable, CaseIterable {
    /// MPEG-2 transport stream segments (`seg_000001.ts`).
    case ts
    /// Fragmented MP4 segments (`seg_000001.m4s`) after an `init.mp4` initialization section.
    case fmp4
}
