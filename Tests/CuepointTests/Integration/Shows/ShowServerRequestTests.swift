import CuepointTestSupport
import Foundation
import Testing

extension Integration {
    /// The control API's refusals of bad requests, each with what the issue asks: 401 without or
    /// with a wrong admin token, 400 with the CLI's problem list, 409 for a duplicate, 404 for
    /// path traversal, a marker token of another show refused, a show whose publisher never
    /// comes failing after the wait; and 200 shows created at once. Nothing recorded is lost.
    @Suite("Show server: bad requests", .ownThreads)
    struct ShowServerRequestTests {
        @Test("admin calls without the token or with another are 401; the hook of an unknown key is 403", .timeLimit(.minutes(3)))
        func adminToken() async throws {
            try await offThePoolInFolder("shows-token") { folder in
                let server = try ShowServerProcess(data: folder.appendingPathComponent("data"), folder: folder, rtmp: false)
                for (method, path) in [("GET", "/v1/shows"), ("POST", "/v1/shows"), ("GET", "/v1/shows/a"),
                                       ("POST", "/v1/shows/a/end"), ("DELETE", "/v1/shows/a")] {
                    let none = server.request(method, path, token: nil, body: method == "POST" ? showDocument("a") : nil)
                    #expect(none.status == 401, "\(method) \(path): \(none)")
                    #expect(none.body.contains("the control API needs the admin token"))
                    let wrong = server.request(method, path, token: "test-admin-token-0123456789abcdeX")
                    #expect(wrong.status == 401, "\(method) \(path): \(wrong)")
                    #expect(wrong.body.contains("the token is not the admin token"))
                }
                #expect(server.request("GET", "/v1/shows").body == #"{"shows":[]}"# + "\n", "nothing was created")
                // A known path asked with a method it does not take: 405 naming the ones it does.
                let put = server.request("PUT", "/v1/shows/a", body: "{}")
                #expect(put.status == 405, "\(put)")
                #expect(put.body.contains("PUT is not a method of /v1/shows/a") && put.body.contains("use DELETE, GET"), "\(put)")
                #expect(server.request("DELETE", "/shows/a/v1/markers").status == 405)
                #expect(server.request("PUT", "/v1/nothing-here").status == 404, "an unknown path stays 404")
                let hook = server.request(
                    "POST", "/v1/hooks/publish", token: nil,
                    body: #"{"app":"live","key":"nobody","source_url":"rtmp://127.0.0.1:1/live/nobody"}"#)
                #expect(hook.status == 403 && hook.body.contains("no show has this stream key"), "\(hook)")
                let nginx = server.request(
                    "POST", "/v1/hooks/nginx/on_publish", token: nil, body: "call=publish&app=live&name=nobody&addr=127.0.0.1",
                    contentType: "application/x-www-form-urlencoded")
                #expect(nginx.status == 403, "\(nginx)")
                #expect(server.stop())
            }
        }

        @Test("SRS's http_hooks: on_publish of a show's key is 200 `0` and the show pulls from SRS; an unknown key is 403; on_unpublish is 200 `0`; other actions are 400", .timeLimit(.minutes(2)))
        func srsHook() async throws {
            try await offThePoolInFolder("shows-srs") { folder in
                // No RTMP port: shows take their publisher through a streaming server's hook.
                let server = try ShowServerProcess(data: folder.appendingPathComponent("data"), folder: folder, rtmp: false)
                defer { _ = server.stop() }
                let show = try server.create(showDocument("srs-show"))
                let key = try #require(show["stream_key"] as? String)
                func srs(_ action: String, _ stream: String, query: String = "") -> (status: Int, body: String) {
                    // The fields SRS 5 posts for on_publish / on_unpublish.
                    let body = #"{"server_id":"vid-x","action":"\#(action)","client_id":"7k2","ip":"127.0.0.1","vhost":"__defaultVhost__","app":"live","tcUrl":"rtmp://127.0.0.1/live","stream":"\#(stream)","param":"","stream_url":"/live/\#(stream)","stream_id":"vid-y"}"#
                    return server.request("POST", "/v1/hooks/srs" + query, token: nil, body: body, contentType: "application/json")
                }
                let unknown = srs("on_publish", "nobody")
                #expect(unknown.status == 403 && unknown.body.contains("no show has this stream key"), "\(unknown)")
                let accepted = srs("on_publish", key, query: "?rtmp=127.0.0.1:19351")
                #expect(accepted.status == 200 && accepted.body == "0", "\(accepted)")
                let input = server.show("srs-show")["input"] as? [String: Any] ?? [:]
                #expect(input["kind"] as? String == "hook", "\(input)")
                #expect(input["url"] as? String == "rtmp://127.0.0.1:19351/live/***", "the show pulls from SRS, its key hidden: \(input)")
                let left = srs("on_unpublish", key)
                #expect(left.status == 200 && left.body == "0", "\(left)")
                let other = srs("on_play", key)
                #expect(other.status == 400 && other.body.contains("is not on_publish or on_unpublish"), "\(other)")
                let garbage = server.request("POST", "/v1/hooks/srs", token: nil, body: "action=on_publish", contentType: "application/json")
                #expect(garbage.status == 400, "\(garbage)")
            }
        }

        @Test("a malformed or invalid document is 400 with `cuepoint validate`'s list; a duplicate id is 409; traversal ids are 404", .timeLimit(.minutes(3)))
        func badDocuments() async throws {
            try await offThePoolInFolder("shows-documents") { folder in
                let data = folder.appendingPathComponent("data")
                let server = try ShowServerProcess(data: data, folder: folder, rtmp: false)
                let malformed = server.request("POST", "/v1/shows", body: "version: [")
                #expect(malformed.status == 400, "\(malformed)")
                #expect(malformed.body.contains(#""problems":["body:2:1: YAML syntax error"#), "\(malformed.body)")
                // With an input, so that `cuepoint validate` (which requires one) sees the same document.
                let document = "version: 1\nname: Bad Name\noutput:\n  sgement: 2s\ninput:\n  url: rtmp://127.0.0.1:1/live/k\n"
                let invalid = server.request("POST", "/v1/shows", body: document)
                #expect(invalid.status == 400, "\(invalid)")
                let problems = ShowServerProcess.object(invalid.body)["problems"] as? [String] ?? []
                // The same lines `cuepoint validate` prints for the same text in a file named `body`.
                let file = folder.appendingPathComponent("body")
                try document.write(to: file, atomically: true, encoding: .utf8)
                let validate = try CuepointCLI.run(["validate", "body"], in: folder)
                #expect(problems == validate.stderrLines.map { $0.replacingOccurrences(of: "cuepoint: ", with: "") }, "\(problems) vs \(validate)")
                #expect(problems.contains("body:4:3: output.sgement: unknown key; did you mean `segment`?"), "\(problems)")
                let json = server.request("POST", "/v1/shows", body: #"{"version": 1, "name": "j", "input": 3}"#, contentType: "application/json")
                #expect(json.status == 400 && json.body.contains("body:1:38: input: expected a mapping"), "\(json)")

                _ = try server.create(showDocument("spring"))
                let again = server.request("POST", "/v1/shows", body: showDocument("spring"))
                #expect(again.status == 409 && again.body.contains(#"a show \"spring\" exists already"#), "\(again)")
                let ids = ["..", "%2e%2e", "..%2F..%2Fetc", "spring%2F..%2F..", "%00"]
                for id in ids {
                    #expect(server.request("GET", "/v1/shows/\(id)").status == 404, "GET \(id)")
                    #expect(server.request("GET", "/shows/\(id)/master.m3u8", token: nil).status == 404, "files of \(id)")
                    #expect(server.request("DELETE", "/v1/shows/\(id)").status == 404, "DELETE \(id)")
                }
                #expect(server.request("GET", "/shows/spring/../../shows/spring/show.json", token: nil).status == 404)
                // The refused requests left the show and its files as they were.
                #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("shows/spring/show.json").path))
                let list = ShowServerProcess.object(server.request("GET", "/v1/shows").body)["shows"] as? [[String: Any]]
                #expect(list?.map { $0["id"] as? String } == ["spring"])
                let notOver = server.request("DELETE", "/v1/shows/spring")
                #expect(notOver.status == 409 && notOver.body.contains("only a finished or failed show can be removed"), "\(notOver)")
                #expect(server.stop())
            }
        }

        @Test("200 shows created at once: each 201 with its own stream key and marker token", .timeLimit(.minutes(2)))
        func twoHundredShows() async throws {
            try await offThePoolInFolder("shows-200") { folder in
                let server = try ShowServerProcess(data: folder.appendingPathComponent("data"), folder: folder)
                let answers = Mutex200()
                DispatchQueue.concurrentPerform(iterations: 200) { index in
                    let answer = server.request("POST", "/v1/shows", body: showDocument("show-\(index)"))
                    answers.add(answer.status, ShowServerProcess.object(answer.body))
                }
                let (statuses, shows) = answers.values
                #expect(statuses.allSatisfy { $0 == 201 }, "\(Dictionary(grouping: statuses) { $0 }.mapValues(\.count))")
                #expect(Set(shows.compactMap { $0["stream_key"] as? String }).count == 200)
                #expect(Set(shows.compactMap { $0["marker_token"] as? String }).count == 200)
                #expect(shows.allSatisfy { ($0["stream_key"] as? String)?.count == 40 }, "160-bit keys")
                let list = ShowServerProcess.object(server.request("GET", "/v1/shows").body)["shows"] as? [[String: Any]] ?? []
                #expect(list.count == 200)
                #expect(list.allSatisfy { $0["state"] as? String == "waiting_for_publisher" })
                #expect(server.stop())
            }
        }

        @Test("a show whose publisher never comes says so, then fails after the publisher wait; the marker token of another show is 401", .timeLimit(.minutes(3)))
        func publisherNeverComes() async throws {
            try await offThePoolInFolder("shows-wait") { folder in
                let server = try ShowServerProcess(
                    data: folder.appendingPathComponent("data"), folder: folder, extra: ["--publisher-wait", "3s"])
                let a = try server.create(showDocument("alone"))
                let b = try server.create(showDocument("other"))
                #expect(a["state"] as? String == "waiting_for_publisher")
                let tokenOfB = b["marker_token"] as! String
                let marker = #"{"id":"p1","product":"SKU-1","title":"Knife","url":"https://shop.example.com/p/1"}"#
                let crossed = server.request("POST", "/shows/alone/v1/markers", token: tokenOfB, body: marker)
                #expect(crossed.status == 401 && crossed.body.contains("the marker_token of this show"), "\(crossed)")
                let waiting = server.request("POST", "/shows/alone/v1/markers", token: a["marker_token"] as? String, body: marker)
                #expect(waiting.status == 503, "no markers before the show runs: \(waiting)")
                #expect(server.request("GET", "/shows/nobody/v1/markers", token: tokenOfB).status == 404)
                #expect(server.waitFor("alone", "failed", 20), "\(server.show("alone"))")
                let failure = server.show("alone")["failure"] as? String ?? ""
                #expect(failure.contains("no publisher arrived within 3s"), "\(failure)")
                let kept = try String(contentsOf: folder.appendingPathComponent("data/shows/alone/show.json"), encoding: .utf8)
                #expect(kept.contains(#""state" : "failed""#), "\(kept)")
                #expect(server.request("DELETE", "/v1/shows/alone").status == 204)
                #expect(server.request("GET", "/v1/shows/alone").status == 404)
                #expect(server.stop())
                #expect(server.job.process.exitStatus == 0, "\(server.job.printed)")
            }
        }

        @Test("cuepoint shows create|list|end|delete drive the server; a refused document prints the server's problems", .timeLimit(.minutes(3)))
        func commandLineClient() async throws {
            try await offThePoolInFolder("shows-cli") { folder in
                let server = try ShowServerProcess(data: folder.appendingPathComponent("data"), folder: folder)
                let environment = ["CUEPOINT_ADMIN_TOKEN": ShowServerProcess.adminToken]
                func shows(_ arguments: [String]) throws -> CuepointCLI.Result {
                    try CuepointCLI.run(["shows"] + arguments + ["--server", server.base], environment: environment)
                }
                let created = try shows(["create", "Pipelines/shows/spring-sale.yaml"])
                #expect(created.status == 0, "\(created)")
                #expect(created.stdout.hasPrefix("spring-sale  waiting_for_publisher  \(server.base)/shows/spring-sale/master.m3u8\n"), "\(created)")
                #expect(created.stdout.contains("ingest: \(server.ingest ?? "?")"), "\(created)")
                let listed = try shows(["list"])
                #expect(listed.stdout == "spring-sale  waiting_for_publisher  \(server.base)/shows/spring-sale/master.m3u8\n", "\(listed)")
                let bad = folder.appendingPathComponent("bad.yaml")
                try "version: 1\nname: bad\noutput:\n  sgement: 2s\n".write(to: bad, atomically: true, encoding: .utf8)
                let refused = try shows(["create", bad.path])
                #expect(refused.status == 1, "\(refused)")
                #expect(refused.stderr.contains("/v1/shows: 400 Bad Request\nbody:4:3: output.sgement: unknown key; did you mean `segment`?"), "\(refused)")
                let undeletable = try shows(["delete", "spring-sale"])
                #expect(undeletable.status == 1 && undeletable.stderr.contains("409 Conflict"), "\(undeletable)")
                let ended = try shows(["end", "spring-sale"])
                #expect(ended.status == 0 && ended.stdout.hasPrefix("spring-sale  finalising  "), "\(ended)")
                #expect(server.waitFor("spring-sale", "finished", 20), "\(server.show("spring-sale"))")
                let deleted = try shows(["delete", "spring-sale"])
                #expect(deleted.status == 0 && deleted.stdout == "removed spring-sale\n", "\(deleted)")
                #expect(try shows(["list"]).stdout == "no shows\n")
                let noToken = try CuepointCLI.run(["shows", "list", "--server", server.base], environment: ["CUEPOINT_ADMIN_TOKEN": ""])
                #expect(noToken.status == 2 && noToken.stderr.contains("CUEPOINT_ADMIN_TOKEN is not set"), "\(noToken)")
                #expect(server.stop())
            }
        }
    }
}

/// The answers of concurrent requests.
final class Mutex200: @unchecked Sendable {
    // Invariant: `statuses` and `shows` are used with `lock` held.
    private let lock = NSLock()
    private var statuses: [Int] = []
    private var shows: [[String: Any]] = []

    func add(_ status: Int, _ show: [String: Any]) {
        lock.lock()
        defer { lock.unlock() }
        statuses.append(status)
        shows.append(show)
    }

    var values: ([Int], [[String: Any]]) {
        lock.lock()
        defer { lock.unlock() }
        return (statuses, shows)
    }
}
