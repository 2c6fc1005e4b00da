public import Cuepoint
public import CuepointTime
import Foundation
import Yams

/// The server configuration file of `cuepoint server --config FILE`: YAML, strict like a
/// pipeline file (unknown keys are errors with a suggestion, every problem reported as
/// `FILE:LINE:COLUMN: key: problem`), described by `docs/server-config.schema.json`.
///
/// ```yaml
/// version: 1
/// listen: 127.0.0.1:8080
/// data: /var/lib/cuepoint
/// rtmp: 0.0.0.0:1935
/// rtmp_public_host: ingest.example.com
/// admin_token_env: CUEPOINT_ADMIN_TOKEN
/// public_url: https://shows.example.com
/// shows_directory: /etc/cuepoint/shows
/// publisher_wait: 10m
/// reconnect_wait: 60s
/// ```
public struct ShowServerConfigurationFile: Sendable, Equatable {
    public var listen: (host: String, port: Int)?
    public var data: String?
    public var rtmp: (host: String, port: Int)?
    public var rtmpPublicHost: String?
    public var adminTokenEnvironmentVariable: String?
    public var publicURL: String?
    public var showsDirectory: String?
    public var publisherWait: MediaTime?
    public var reconnectWait: MediaTime?

    /// The keys, in documentation order.
    public static let keys = [
        "version", "listen", "data", "rtmp", "rtmp_public_host", "admin_token_env", "public_url", "shows_directory",
        "publisher_wait", "reconnect_wait",
    ]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.listen?.host == rhs.listen?.host && lhs.listen?.port == rhs.listen?.port && lhs.data == rhs.data
            && lhs.rtmp?.host == rhs.rtmp?.host && lhs.rtmp?.port == rhs.rtmp?.port
            && lhs.rtmpPublicHost == rhs.rtmpPublicHost
            && lhs.adminTokenEnvironmentVariable == rhs.adminTokenEnvironmentVariable && lhs.publicURL == rhs.publicURL
            && lhs.showsDirectory == rhs.showsDirectory && lhs.publisherWait == rhs.publisherWait
            && lhs.reconnectWait == rhs.reconnectWait
    }

    public init() {}

    /// Reads and decodes the file at `path`.
    ///
    /// - Throws: ``PipelineFileError`` (the same problem lists as pipeline files) naming each problem.
    public static func load(path: String) throws(PipelineFileError) -> ShowServerConfigurationFile {
        guard let data = FileContents.read(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw PipelineFileError(problems: [
                PipelineProblem(file: path, line: 0, column: 0, keyPath: "", message: "cannot read the file as UTF-8 text")
            ])
        }
        return try decode(text, fileName: path)
    }

    /// Decodes the text of a configuration file.
    public static func decode(_ text: String, fileName: String) throws(PipelineFileError) -> ShowServerConfigurationFile {
        var problems: [PipelineProblem] = []
        func problem(_ node: Node?, _ key: String, _ message: String, suggestion: String? = nil) {
            problems.append(
                PipelineProblem(
                    file: fileName, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, keyPath: key,
                    message: message, suggestion: suggestion))
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw PipelineFileError(problems: [PipelineFile.syntaxProblem(error, text: text, fileName: fileName)])
        }
        guard case .mapping(let mapping)? = root else {
            problem(root, "", "expected a mapping of server keys (`listen`, `data`, `rtmp`, …)")
            throw PipelineFileError(problems: problems)
        }
        var file = ShowServerConfigurationFile()
        func string(_ node: Node, _ key: String) -> String? {
            guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
                problem(node, key, "expected a non-empty string")
                return nil
            }
            return scalar.string
        }
        func address(_ node: Node, _ key: String) -> (host: String, port: Int)? {
            guard let value = string(node, key) else { return nil }
            guard let address = ServerSpec.parseAddress(value) else {
                problem(node, key, "expected HOST:PORT (a port from 0 to 65535), got \"\(EchoedText.value(value))\"")
                return nil
            }
            return address
        }
        func duration(_ node: Node, _ key: String) -> MediaTime? {
            guard let value = string(node, key) else { return nil }
            guard let time = DurationText.parse(value), time.milliseconds > 0 else {
                problem(node, key, "expected a duration such as `30s` or `10m`, got \"\(EchoedText.value(value))\"")
                return nil
            }
            return time
        }
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else {
                problem(keyNode, "", "expected a key name")
                continue
            }
            switch key {
            case "version":
                if value.int != 1 { problem(value, key, "unsupported version; this cuepoint reads version 1") }
            case "listen": file.listen = address(value, key)
            case "data": file.data = string(value, key)
            case "rtmp": file.rtmp = address(value, key)
            case "rtmp_public_host": file.rtmpPublicHost = string(value, key)
            case "admin_token_env": file.adminTokenEnvironmentVariable = string(value, key)
            case "public_url":
                file.publicURL = string(value, key)
                if let url = file.publicURL, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                    problem(value, key, "expected an http:// or https:// URL")
                }
            case "shows_directory": file.showsDirectory = string(value, key)
            case "publisher_wait": file.publisherWait = duration(value, key)
            case "reconnect_wait": file.reconnectWait = duration(value, key)
            default:
                problem(
                    keyNode, key, "unknown key",
                    suggestion: KeySuggestion.closest(to: key, among: keys))
            }
        }
        guard problems.isEmpty else { throw PipelineFileError(problems: problems) }
        return file
    }
}
