import CuepointTestSupport
import Cuepoint
import Foundation
import Testing

extension Integration {
    /// Hostile media: seeded mutations of the samples (bit flips, truncations, duplicated and
    /// dropped packets, PID and timestamp corruption; `HostileMedia`) through `cuepoint segment`
    /// as files (TS, MP4 and FLV in; TS and fMP4 out) and through live UDP and RTMP inputs. Never
    /// a crash or a hang; every run ends with valid playlists or one clear error line.
    ///
    /// The suite runs a fixed set of cases; `scripts/hostile-media.sh N [SEED]` runs the long form
    /// (`CUEPOINT_HOSTILE_CASES=N`, `CUEPOINT_HOSTILE_SEED`) and prints every outcome.
    @Suite("Hostile media", .ownThreads)
    struct HostileMediaTests {
        /// One case of each source and mutation, with fixed seeds; TS output for even seeds, fMP4 for odd.
        static let quickCases: [HostileCase] = HostileCase.Source.allCases.flatMap { source in
            HostileCase.Mutation.allCases.enumerated().map { index, mutation in
                HostileCase(source: source, mutation: mutation, seed: 1_600 + UInt64(index) + (source == .mp4 ? 1 : 0))
            }
        }

        static var container: (HostileCase) -> Container { { $0.seed % 2 == 0 ? .ts : .fmp4 } }

        @Test(
            "a mutated file through `cuepoint segment`: no crash, no hang, valid playlists or one error line",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            arguments: quickCases)
        func mutatedFile(_ hostile: HostileCase) async throws {
            try await TemporaryDirectory.with(label: "hostile") { folder in
                let outcome = try await offThePool { try HostileRun.file(hostile, container: Self.container(hostile), folder: folder) }
                print("hostile: \(outcome)")
            }
        }

        @Test(
            "mutated MPEG-TS as a live UDP input: no crash, no hang, valid playlists or one error line",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            arguments: [HostileCase.Mutation.droppedPackets, .pidCorruption, .timestampCorruption, .bitFlips])
        func mutatedUDP(_ mutation: HostileCase.Mutation) async throws {
            try await TemporaryDirectory.with(label: "hostile-udp") { folder in
                let outcome = try await offThePool {
                    try HostileRun.udp(HostileCase(source: .ts, mutation: mutation, seed: 1_700), folder: folder)
                }
                print("hostile: \(outcome)")
            }
        }

        @Test(
            "a mutated FLV published over RTMP: no crash, no hang, valid playlists or one error line",
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"),
            arguments: [HostileCase.Mutation.timestampCorruption, .duplicatedPackets, .bitFlips])
        func mutatedRTMP(_ mutation: HostileCase.Mutation) async throws {
            try await TemporaryDirectory.with(label: "hostile-rtmp") { folder in
                let outcome = try await offThePool {
                    try HostileRun.rtmp(HostileCase(source: .flv, mutation: mutation, seed: 1_800), folder: folder)
                }
                print("hostile: \(outcome)")
            }
        }

        /// The long form: `CUEPOINT_HOSTILE_CASES` cases from `CUEPOINT_HOSTILE_SEED` (default 1),
        /// each source and mutation in turn, through a file (TS and fMP4 output in turn), and every
        /// sixth case also through live UDP (TS) or RTMP (FLV). Prints one line per run.
        @Test(
            "long form: N seeded cases (scripts/hostile-media.sh)",
            .enabled(if: ProcessInfo.processInfo.environment["CUEPOINT_HOSTILE_CASES"] != nil, "long form, run by scripts/hostile-media.sh N"),
            .enabled(if: LiveIngest.ffmpeg != nil && FFprobe.isInstalled, "needs ffmpeg and ffprobe"))
        func longForm() async throws {
            let environment = ProcessInfo.processInfo.environment
            let count = Int(environment["CUEPOINT_HOSTILE_CASES"] ?? "") ?? 0
            let seed = UInt64(environment["CUEPOINT_HOSTILE_SEED"] ?? "") ?? 1
            try await TemporaryDirectory.with(label: "hostile-long") { folder in
                try await offThePool {
                    var tally: [String: Int] = [:]
                    for index in 0..<count {
                        let hostile = HostileCase.enumerated(index, seed: seed)
                        let caseFolder = folder.appendingPathComponent("case-\(index)")
                        try FileManager.default.createDirectory(at: caseFolder, withIntermediateDirectories: true)
                        defer { try? FileManager.default.removeItem(at: caseFolder) }
                        var outcomes = [try HostileRun.file(hostile, container: index % 2 == 0 ? .ts : .fmp4, folder: caseFolder)]
                        if index % 6 == 0 && hostile.source == .ts { outcomes.append(try HostileRun.udp(hostile, folder: caseFolder)) }
                        if index % 6 == 2 && hostile.source == .flv { outcomes.append(try HostileRun.rtmp(hostile, folder: caseFolder)) }
                        for outcome in outcomes {
                            print("hostile: \(outcome)")
                            let key = outcome.hung ? "hung" : outcome.signal != nil ? "crashed" : "exit \(outcome.status ?? -1)"
                            tally[key, default: 0] += 1
                        }
                    }
                    print("hostile: \(count) cases from seed \(seed): \(tally.sorted { $0.key < $1.key })")
                }
            }
        }
    }
}
