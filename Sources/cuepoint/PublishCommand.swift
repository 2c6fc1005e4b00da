import ArgumentParser
import Cuepoint
import CuepointFFmpeg
import CuepointObjectStorage
import CuepointTime
import Foundation

extension CuepointCommand {
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a recording to object stores or HTTP origins: what they lack (a run that ended before its store took everything, or a recording made without --publish).")

        @Argument(help: "The recording directory.")
        var recording: String

        @Argument(
            help: ArgumentHelp(
                "Where to copy it: s3://BUCKET/PREFIX (endpoint, region and keys from the AWS_* environment variables) or http(s)://HOST/PREFIX.",
                valueName: "url"))
        var targets: [String] = []

        @Option(
            help: ArgumentHelp("How long to wait for each store to take everything (default 60s).", valueName: "duration"))
        var timeout: String?

        @OptionGroup var reporting: ReportingOptions

        func validate() throws {
            guard !targets.isEmpty else { throw ValidationError("Missing expected argument '<url> ...'") }
            for url in targets {
                do {
                    _ = try PublishSpec(url: url).resolve(environment: ProcessInfo.processInfo.environment)
                } catch {
                    throw ValidationError("\(error)")
                }
            }
            if let timeout, DurationText.parse(timeout).map({ $0 <= PublishSpec.maximumWait }) != true {
                throw ValidationError("--timeout: expected a duration up to 1h such as \"2m\", got \"\(timeout)\"")
            }
        }

        func run() async throws {
            let wait = timeout.flatMap(DurationText.parse) ?? PublishSpec.defaultFinishTimeout
            let specs = targets.map { PublishSpec(url: $0, finishTimeout: wait) }
            let logger = CommandLineLogHandler.logger(progress: ProgressLine(enabled: false), verbose: reporting.verbose)
            let directory = URL(fileURLWithPath: recording)
            let outcomes = try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<[Publication.Outcome], any Error>) in
                // The uploads wait on the network from a thread of their own, never the cooperative pool.
                Thread.detachNewThread {
                    do throws(CuepointError) {
                        continuation.resume(
                            returning: try RecordingSync.publish(
                                directory: directory, to: specs, environment: ProcessInfo.processInfo.environment,
                                logger: logger, warnings: WarningCollector(logger: logger)))
                    } catch {
                        continuation.resume(throwing: CommandFailure.runtime(error))
                    }
                }
            }
            var complete = true
            for outcome in outcomes {
                let done = outcome.summary
                complete = complete && done.isComplete
                print(
                    "published: \(outcome.url): \(done.files) files, \(done.documents) documents"
                        + (done.isComplete ? " (complete)" : " (INCOMPLETE, \(done.left.count) operation(s) left)"))
            }
            if !complete {
                throw CommandFailure(
                    message: "\(recording): not every store took the whole recording; run this command again", exitCode: 1)
            }
        }
    }
}
