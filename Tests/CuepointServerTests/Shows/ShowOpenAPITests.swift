import CuepointTestSupport
import Cuepoint
import CuepointTime
@testable import CuepointServer
import Foundation
import Logging
import Testing

/// The OpenAPI document of the show server: the file in `docs/` is the one served, and its
/// paths and methods are exactly the routes the server registers.
@Suite("Show server: OpenAPI document", .ownThreads)
struct ShowOpenAPITests {
    static let documentFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/openapi.json")

    @Test("docs/openapi.json is the document served at /openapi.json, byte for byte")
    func servedIsDocumented() throws {
        let file = try String(contentsOf: Self.documentFile, encoding: .utf8)
        #expect(file == OpenAPIDocument.text)
    }

    @Test("the document's paths and methods are the server's routes")
    func pathsAreRoutes() throws {
        let object = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.text.utf8)) as? [String: Any]
        #expect(object?["openapi"] as? String == "3.1.0")
        let paths = object?["paths"] as? [String: [String: Any]] ?? [:]
        var documented: Set<String> = []
        for (path, item) in paths {
            for method in item.keys where method != "parameters" { documented.insert("\(method.uppercased()) \(path)") }
        }
        let server = try ShowServer(
            configuration: ShowServerConfiguration(dataDirectory: URL(fileURLWithPath: "/nonexistent")),
            adminToken: "token", logger: Logger(label: "test"))
        let registered = Set(server.registeredRoutes)
        #expect(!registered.isEmpty)
        #expect(documented == registered, "only documented: \(documented.subtracting(registered)); only routed: \(registered.subtracting(documented))")
    }
}

/// The server configuration file: strict, every problem with its line and column.
@Suite("Show server: configuration file", .ownThreads)
struct ShowServerConfigurationFileTests {
    @Test("a complete file decodes")
    func complete() throws {
        let file = try ShowServerConfigurationFile.decode(
            """
            version: 1
            listen: 127.0.0.1:8080
            data: /var/lib/cuepoint
            rtmp: 0.0.0.0:1935
            rtmp_public_host: ingest.example.com
            admin_token_env: SHOWS_TOKEN
            public_url: https://shows.example.com
            shows_directory: /etc/cuepoint/shows
            publisher_wait: 10m
            reconnect_wait: 45s
            """, fileName: "server.yaml")
        #expect(file.listen?.port == 8080 && file.rtmp?.host == "0.0.0.0" && file.rtmp?.port == 1935)
        #expect(file.adminTokenEnvironmentVariable == "SHOWS_TOKEN" && file.data == "/var/lib/cuepoint")
        #expect(file.publisherWait?.milliseconds == 600_000 && file.reconnectWait?.milliseconds == 45_000)
    }

    @Test("unknown keys, bad addresses and durations are each reported at their line and column")
    func problems() {
        #expect {
            try ShowServerConfigurationFile.decode(
                "listen: localhost\nrtmpp: 0.0.0.0:1935\npublisher_wait: soon\npublic_url: ftp://x\n", fileName: "server.yaml")
        } throws: { error in
            let lines = (error as? PipelineFileError)?.problems.map(\.description) ?? []
            return lines == [
                #"server.yaml:1:9: listen: expected HOST:PORT (a port from 0 to 65535), got "localhost""#,
                "server.yaml:2:1: rtmpp: unknown key; did you mean `rtmp`?",
                #"server.yaml:3:17: publisher_wait: expected a duration such as `30s` or `10m`, got "soon""#,
                "server.yaml:4:13: public_url: expected an http:// or https:// URL",
            ]
        }
    }

    @Test("docs/server-config.schema.json names exactly the keys the decoder takes, unknown keys refused")
    func schemaKeys() throws {
        let file = ShowOpenAPITests.documentFile.deletingLastPathComponent().appendingPathComponent("server-config.schema.json")
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        let properties = schema?["properties"] as? [String: Any] ?? [:]
        #expect(Set(properties.keys) == Set(ShowServerConfigurationFile.keys))
        #expect(schema?["additionalProperties"] as? Bool == false)
    }

    @Test("a YAML syntax error is one problem with its position")
    func syntax() {
        #expect {
            try ShowServerConfigurationFile.decode("listen: [", fileName: "server.yaml")
        } throws: { error in
            (error as? PipelineFileError)?.problems.first?.description.hasPrefix("server.yaml:2:1: YAML syntax error") == true
        }
    }
}
