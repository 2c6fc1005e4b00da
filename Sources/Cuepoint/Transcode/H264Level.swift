/// An H.264 level: the limits (ITU-T H.264 Table A-1) a decoder of that level promises to
/// handle, so a rendition that names one can be checked before x264 refuses or, worse,
/// silently signals a level its stream exceeds.
struct H264Level: Sendable, Hashable {
    /// The name as settings spell it and x264's `level` option takes it: `3`, `3.1`, `1b`.
    let name: String
    /// MaxMBPS: macroblocks (16×16 pixels) per second.
    let macroblocksPerSecond: Int
    /// MaxFS: macroblocks per picture.
    let macroblocksPerFrame: Int
    /// MaxBR for the Baseline and Main profiles, in 1000 bit/s; High allows 1.25 times it.
    let maxBitRateKilobits: Int

    /// Every level, lowest first.
    static let all: [H264Level] = [
        H264Level(name: "1", macroblocksPerSecond: 1485, macroblocksPerFrame: 99, maxBitRateKilobits: 64),
        H264Level(name: "1b", macroblocksPerSecond: 1485, macroblocksPerFrame: 99, maxBitRateKilobits: 128),
        H264Level(name: "1.1", macroblocksPerSecond: 3000, macroblocksPerFrame: 396, maxBitRateKilobits: 192),
        H264Level(name: "1.2", macroblocksPerSecond: 6000, macroblocksPerFrame: 396, maxBitRateKilobits: 384),
        H264Level(name: "1.3", macroblocksPerSecond: 11880, macroblocksPerFrame: 396, maxBitRateKilobits: 768),
        H264Level(name: "2", macroblocksPerSecond: 11880, macroblocksPerFrame: 396, maxBitRateKilobits: 2000),
        H264Level(name: "2.1", macroblocksPerSecond: 19800, macroblocksPerFrame: 792, maxBitRateKilobits: 4000),
        H264Level(name: "2.2", macroblocksPerSecond: 20250, macroblocksPerFrame: 1620, maxBitRateKilobits: 4000),
        H264Level(name: "3", macroblocksPerSecond: 40500, macroblocksPerFrame: 1620, maxBitRateKilobits: 10000),
        H264Level(name: "3.1", macroblocksPerSecond: 108_000, macroblocksPerFrame: 3600, maxBitRateKilobits: 14000),
        H264Level(name: "3.2", macroblocksPerSecond: 216_000, macroblocksPerFrame: 5120, maxBitRateKilobits: 20000),
        H264Level(name: "4", macroblocksPerSecond: 245_760, macroblocksPerFrame: 8192, maxBitRateKilobits: 20000),
        H264Level(name: "4.1", macroblocksPerSecond: 245_760, macroblocksPerFrame: 8192, maxBitRateKilobits: 50000),
        H264Level(name: "4.2", macroblocksPerSecond: 522_240, macroblocksPerFrame: 8704, maxBitRateKilobits: 50000),
        H264Level(name: "5", macroblocksPerSecond: 589_824, macroblocksPerFrame: 22080, maxBitRateKilobits: 135_000),
        H264Level(name: "5.1", macroblocksPerSecond: 983_040, macroblocksPerFrame: 36864, maxBitRateKilobits: 240_000),
        H264Level(
            name: "5.2", macroblocksPerSecond: 2_073_600, macroblocksPerFrame: 36864, maxBitRateKilobits: 240_000),
        H264Level(
            name: "6", macroblocksPerSecond: 4_177_920, macroblocksPerFrame: 139_264, maxBitRateKilobits: 240_000),
        H264Level(
            name: "6.1", macroblocksPerSecond: 8_355_840, macroblocksPerFrame: 139_264, maxBitRateKilobits: 480_000),
        H264Level(
            name: "6.2", macroblocksPerSecond: 16_711_680, macroblocksPerFrame: 139_264, maxBitRateKilobits: 800_000),
    ]

    /// The level named `text`; `3.0`, `4.0`, `5.0` and `6.0` are taken for `3`, `4`, `5` and `6`.
    static func named(_ text: String) -> H264Level? {
        let name = text.hasSuffix(".0") ? String(text.dropLast(2)) : text
        return all.first { $0.name == name }
    }

    /// The names of every level, for messages.
    static var names: [String] { all.map(\.name) }

    /// Macroblocks in one picture of `width`×`height` pixels (each side rounded up to 16).
    static func macroblocks(width: Int, height: Int) -> Int { ((width + 15) / 16) * ((height + 15) / 16) }

    /// The highest bit rate this level allows in bits per second: MaxBR × 1000, times 1.25
    /// for the High profile (cpbBrVclFactor 1250 instead of 1000).
    func maxBitRate(profile: String?) -> Int {
        maxBitRateKilobits * (profile == "high" ? 1250 : 1000)
    }
}
