// swift-tools-version: 6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    // An import is internal unless it says `public import`: a module's public face shows which
    // other modules it exposes (issue 11).
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Cuepoint",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Cuepoint", targets: ["Cuepoint"]),
        .library(name: "CuepointHLS", targets: ["CuepointHLS"]),
        .library(name: "CuepointJSON", targets: ["CuepointJSON"]),
        .library(name: "CuepointObjectStorage", targets: ["CuepointObjectStorage"]),
        // The HTTP side (job server, marker API, LL-HLS): for servers embedding a job, and for the
        // request-path fuzz harness in Fuzz/.
        .library(name: "CuepointServer", targets: ["CuepointServer"]),
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
        // Metrics: the library records through swift-metrics (any backend an application bootstraps);
        // the server exports them in Prometheus's text format with swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // gzip for playlists, on NIO's ByteBuffer.
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // Object storage: SigV4 (HMAC-SHA256, SHA-256, MD5 for DeleteObjects) on swift-crypto, HTTP on
        // async-http-client, S3's XML answers and requests through XMLCoder (Codable both ways).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/CoreOffice/XMLCoder.git", from: "0.18.0"),
        // Tests only: the shared test support runs programs (ffprobe, ffmpeg, the CLI) through it.
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.4.0"),
    ],
    targets: [
        // FFmpeg's C libraries, found through pkg-config; the shim header turns the macros
        // Swift cannot import into functions. Only CuepointFFmpeg imports this module.
        .systemLibrary(
            name: "CCuepointFFmpeg",
            pkgConfig: "libavformat",
            providers: [
                .apt(["libavformat-dev", "libavfilter-dev", "libavcodec-dev", "libavutil-dev", "libswscale-dev", "libswresample-dev"])
            ]
        ),
        .target(name: "CuepointTime", swiftSettings: strictSettings),
        // The strict JSON reader and writer every module shares (markers, chapters, documents).
        .target(name: "CuepointJSON", swiftSettings: strictSettings),
        .target(
            name: "CuepointFFmpeg",
            dependencies: ["CCuepointFFmpeg", "CuepointTime"],
            swiftSettings: strictSettings
        ),
        .target(name: "CuepointHLS", dependencies: ["CuepointTime", "CuepointJSON"], swiftSettings: strictSettings),
        // Cuepoint's own RTMP server: one port for every publisher, routed by stream key; hands
        // each publish on as an FLV byte stream. SwiftNIO only, no FFmpeg.
        .target(
            name: "CuepointRTMP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                // NIOLockedValueBox: a lock ThreadSanitizer understands (Synchronization.Mutex's
                // futex is invisible to it; docs/reliability.md).
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "Cuepoint",
            dependencies: [
                "CuepointTime", "CuepointFFmpeg", "CuepointHLS", "CuepointJSON", "CuepointRTMP",
                // Publishing: the recording's replicas in object stores and HTTP origins.
                "CuepointObjectStorage",
                // ByteBuffer: the bodies the object-storage clients take and give.
                .product(name: "NIOCore", package: "swift-nio"),
                // NIOLockedValueBox, as in CuepointRTMP.
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "CuepointServer",
            dependencies: [
                "Cuepoint",
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTP1Channel's idle timeout and MaximumAvailableConnections (ConnectionLimits).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // The show server's configuration file (strict YAML, positions in every problem).
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // S3 and HTTP-origin clients, publish targets and the replicator that copies a recording
        // to them in order. Knows nothing of FFmpeg or HLS: keys, bytes and files.
        .target(
            name: "CuepointObjectStorage",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "XMLCoder", package: "XMLCoder"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "cuepoint",
            dependencies: [
                "Cuepoint", "CuepointServer", "CuepointFFmpeg", "CuepointTime", "CuepointRTMP", "CuepointObjectStorage",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `cuepoint shows …`: the control API's client.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // What the test targets share: the repository's root, temporary folders, running programs
        // (on swift-subprocess), the ffmpeg FIFO feeder, a seeded generator.
        .target(
            name: "CuepointTestSupport",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            path: "Tests/CuepointTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(name: "CuepointTimeTests", dependencies: ["CuepointTime", "CuepointTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "CuepointHLSTests", dependencies: ["CuepointHLS", "CuepointJSON", "CuepointTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "CuepointJSONTests", dependencies: ["CuepointJSON", "CuepointTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "CuepointRTMPTests",
            dependencies: [
                "CuepointRTMP", "CuepointTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CuepointFFmpegTests",
            dependencies: ["CuepointFFmpeg", "CuepointTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CuepointServerTests",
            dependencies: [
                "CuepointServer", "Cuepoint", "CuepointHLS", "CuepointTime", "CuepointTestSupport",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The real servers the storage and publishing tests start (SeaweedFS, Ceph RGW, nginx
        // WebDAV, the fault proxy) and the process runner they need: one copy for every test target.
        .target(
            name: "CuepointTestServers",
            dependencies: [
                "CuepointObjectStorage", "CuepointTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/CuepointTestServers",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CuepointObjectStorageTests",
            dependencies: [
                "CuepointObjectStorage", "CuepointTestSupport", "CuepointTestServers",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CuepointTests",
            dependencies: [
                "Cuepoint", "CuepointHLS", "CuepointFFmpeg", "CuepointJSON", "CuepointRTMP", "CuepointObjectStorage",
                "CuepointTestSupport", "CuepointTestServers",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
