// swift-tools-version: 6.0
import Foundation
import PackageDescription

// Cuepoint's libFuzzer harnesses: a package of their own, so the normal build never sees them.
// Build and run them with `scripts/fuzz.sh [SECONDS]`, which builds with
//
//     swift build -c debug -Xswiftc -sanitize=fuzzer,address
//
// (libFuzzer supplies each harness's `main`; AddressSanitizer and LeakSanitizer watch it).
// Each harness is one executable target exporting `LLVMFuzzerTestOneInput`; its seed corpus is
// `Corpus/<harness>/`.
//
// The harnesses reach a few internal parsers through `@testable import`: a debug build compiles
// every module with testability, dependencies included, so no entry point is widened for fuzzing.

/// The Cuepoint package is the folder above this one. A path dependency's identity is the name
/// of its folder, which depends on where the repository was cloned, so it is read here.
let cuepointFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let cuepoint = cuepointFolder.lastPathComponent

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// One harness: an executable target in `Sources/<name>` using the support module and `products`
/// of the Cuepoint package.
func harness(_ name: String, _ products: [String], other: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: cuepoint) } + other,
        swiftSettings: strictSettings)
}

let package = Package(
    name: "CuepointFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: cuepointFolder.path),
        // Cuepoint's own HTTP library (the same version the Cuepoint package resolves): the request
        // harness parses request targets with its `URI`.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        // libFuzzer's LLVMFuzzerRunDriver, declared for Swift (FuzzDriver starts it).
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"], swiftSettings: strictSettings),
        harness("FuzzPipelineFile", ["Cuepoint"]),
        harness("FuzzMarkerLines", ["Cuepoint"]),
        harness("FuzzMarkerBody", ["Cuepoint"]),
        harness("FuzzMediaPlaylist", ["CuepointHLS"]),
        harness("FuzzMultivariantPlaylist", ["CuepointHLS"]),
        harness("FuzzID3Tag", ["CuepointHLS"]),
        harness("FuzzEventMessage", ["CuepointHLS"]),
        harness("FuzzWebVTTChapters", ["CuepointHLS"]),
        harness("FuzzChapterDocument", ["CuepointHLS"]),
        harness("FuzzJSON", ["CuepointJSON"]),
        harness(
            "FuzzRequestPath", ["Cuepoint", "CuepointServer"],
            other: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ]),
    ]
)
