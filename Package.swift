// swift-tools-version: 6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Cuepoint",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Cuepoint", targets: ["Cuepoint"]),
        .library(name: "CuepointHLS", targets: ["CuepointHLS"]),
        .executable(name: "cuepoint", targets: ["cuepoint"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // Already a dependency of Hummingbird; named for NIOCore's SocketAddress (the rate limit
        // is per client address) and ByteBuffer's collection helpers.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.0.0"),
        // Also Hummingbird's; named to stop the server gracefully when a job ends.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
    ],
    targets: [
        // FFmpeg's C libraries, found through pkg-config; the shim header turns the macros
        // Swift cannot import into functions. Only CuepointFFmpeg imports this module.
        .systemLibrary(
            name: "CCuepointFFmpeg",
            pkgConfig: "libavformat",
            providers: [
                .apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev"])
            ]
        ),
        // zlib, for gzip-compressed playlists; the shim header turns deflateInit2/inflateInit2
        // (macros) into functions. Only CuepointServer imports this module.
        .systemLibrary(name: "CCuepointZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CuepointTime", swiftSettings: strictSettings),
        .target(
            name: "CuepointFFmpeg",
            dependencies: ["CCuepointFFmpeg", "CuepointTime"],
            swiftSettings: strictSettings
        ),
        .target(name: "CuepointHLS", dependencies: ["CuepointTime"], swiftSettings: strictSettings),
        // Cuepoint's own RTMP server: one port for every publisher, routed by stream key; hands
        // each publish on as an FLV byte stream. SwiftNIO only, no FFmpeg.
        .target(
            name: "CuepointRTMP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Cuepoint",
            dependencies: [
                "CuepointTime", "CuepointFFmpeg", "CuepointHLS", "CuepointRTMP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CuepointServer",
            dependencies: [
                "Cuepoint", "CCuepointZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "cuepoint",
            dependencies: [
                "Cuepoint", "CuepointServer", "CuepointFFmpeg", "CuepointTime", "CuepointRTMP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "CuepointTimeTests", dependencies: ["CuepointTime"], swiftSettings: strictSettings),
        .testTarget(name: "CuepointHLSTests", dependencies: ["CuepointHLS"], swiftSettings: strictSettings),
        .testTarget(
            name: "CuepointRTMPTests",
            dependencies: [
                "CuepointRTMP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CuepointFFmpegTests",
            dependencies: ["CuepointFFmpeg"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CuepointServerTests",
            dependencies: [
                "CuepointServer", "Cuepoint", "CuepointHLS", "CuepointTime", "CCuepointZlib",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CuepointTests",
            dependencies: ["Cuepoint", "CuepointHLS", "CuepointFFmpeg", "CuepointRTMP"],
            swiftSettings: strictSettings
        ),
    ]
)
