import CuepointTime
import Cuepoint
import CuepointFFmpeg
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs several pipeline files in one process for `cuepoint run A.yaml B.yaml …`: each on its
/// own thread (``PipelineGroup``), SIGINT/SIGTERM stopping all of them, and one summary per
/// pipeline on standard output, in the order of the files.
///
/// A file that cannot be loaded, or a pipeline that fails, is reported on standard error
/// (`cuepoint: FILE: …`) and the others go on. The command exits 0 when every pipeline
/// completed (or was stopped), 1 when any failed, and 2 when the files cannot run together
/// (two write the same recording directory). Summaries are printed as pipelines end. Warnings name their pipeline:
/// `cuepoint: warning: NAME: …`. There is no progress line, and a pipeline's `server:` section
/// is not served here (a warning says so): one server per process serves one pipeline today.
///
/// - Parameter outputDirectory: `--output`: replaces every pipeline's `output.directory`, so
///   each recording goes to `OUTPUT/<name>`.
func executeGroup(files: [String], outputDirectory: String?, reporting: ReportingOptions) async throws {
    (reporting.verbose ? FFmpegLogLevel.warning : FFmpegLogLevel.quiet).apply()
    let standardError = FileHandle.standardError
    var failed: [String] = []
    var loaded: [(file: String, runner: PipelineRunner)] = []
    for file in files {
        var spec: PipelineSpec
        do {
            spec = try PipelineFile.load(path: file)
        } catch {
            standardError.write(Data("cuepoint: \(error.description)\n".utf8))
            failed.append(file)
            continue
        }
        if let outputDirectory { spec.output.directory = outputDirectory }
        let name = spec.name
        if spec.server != nil {
            standardError.write(
                Data("cuepoint: warning: \(name): server: is not served when several pipelines run in one process\n".utf8))
        }
        var options = RunOptions()
        options.logger = CommandLineLogHandler.logger(verbose: reporting.verbose, pipeline: name)
        loaded.append((file, PipelineRunner(spec: spec, options: options)))
    }
    let loadFailures = failed
    let runs = loaded
    // Each summary is printed as its pipeline ends, so a failure shows while the others run.
    let report: @Sendable (Int, Result<RunSummary, CuepointError>) -> Void = { index, outcome in
        let (file, runner) = runs[index]
        let title = "\(file) (pipeline \"\(runner.spec.name)\")"
        switch outcome {
        case .failure(let error):
            FileHandle.standardError.write(Data("cuepoint: \(file): \(error.description)\n".utf8))
            print("\(title): failed")
        case .success(let summary) where summary.renditions.isEmpty:
            print("\(title): stopped before any input arrived; nothing was recorded")
        case .success(let summary):
            print("\(title):")
            for rendition in summary.renditions {
                print(
                    "  \(rendition.name): \(rendition.segments) segments, "
                        + SecondsText.format(milliseconds: rendition.durationMilliseconds)
                        + String(format: ", %.1f MB", Double(rendition.byteCount) / 1e6)
                        + " → \(summary.directory.appendingPathComponent(rendition.playlist).path)")
            }
            let master = summary.directory.appendingPathComponent(RecordingLayout.multivariantPlaylist).path
            print("  master playlist: \(master)\(summary.stopped ? " (stopped early)" : "")")
        }
    }
    let group: PipelineGroup
    do {
        group = try PipelineGroup(loaded.map(\.runner), onEnd: report)
    } catch {
        throw CommandFailure(message: error.description, exitCode: 2)
    }
    // SIGINT/SIGTERM: every pipeline finishes its open segment and publishes final playlists.
    var groupLogger = CommandLineLogHandler.logger(verbose: reporting.verbose)
    groupLogger.logLevel = .error
    let services = ServiceGroup(
        configuration: ServiceGroupConfiguration(
            services: [.init(service: group, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: groupLogger))
    try await services.run()
    failed = loadFailures
        + zip(runs, group.outcomes).compactMap { run, outcome in
            if case .failure = outcome { return run.file }
            return nil
        }
    if !failed.isEmpty {
        throw CommandFailure(
            message: "\(failed.count) of \(files.count) pipelines failed: \(failed.joined(separator: ", "))", exitCode: 1)
    }
}
