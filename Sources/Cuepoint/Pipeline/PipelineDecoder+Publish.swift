import CuepointObjectStorage
import CuepointTime
internal import Yams

/// `output.publish:`: the stores the recording is copied to (``PublishSpec``).
extension PipelineDecoder {
    /// The keys of a `publish:` entry written as a mapping.
    static let publishKeys = [
        "url", "endpoint", "region", "addressing", "storage_class", "authorization_env", "access_key_id_env",
        "secret_access_key_env", "session_token_env", "lag_warning", "finish_timeout",
    ]

    /// `output.publish`: a list of targets, each a URL or a mapping with `url` and settings.
    mutating func decodePublish(_ node: Node) -> [PublishSpec] {
        let path = "output.publish"
        guard case .sequence(let sequence) = node else {
            report(node, path, "expected a list of targets such as `[s3://shows/spring-sale]`, got \(describe(node))")
            return []
        }
        var targets: [PublishSpec] = []
        var firstUse: [String: Int] = [:]
        for (offset, item) in sequence.enumerated() {
            let itemPath = "\(path)[\(offset)]"
            guard let target = decodePublishTarget(item, itemPath) else { continue }
            if let first = firstUse[target.url] {
                report(item, itemPath, "the target \(quote(target.url)) is already \(path)[\(first)]; list each store once")
                continue
            }
            firstUse[target.url] = offset
            targets.append(target)
        }
        return targets
    }

    private mutating func decodePublishTarget(_ node: Node, _ path: String) -> PublishSpec? {
        if case .scalar = node {
            guard let url = nonEmptyText(node, path) else { return nil }
            return checkTarget(PublishSpec(url: url), at: node, path)
        }
        guard let fields = fields(of: node, path: path, known: Self.publishKeys) else { return nil }
        guard let urlNode = required("url", in: fields), let url = nonEmptyText(urlNode, "\(path).url") else { return nil }
        var target = PublishSpec(url: url)
        func setting(_ key: String) -> (Node, String)? {
            guard let node = optional(key, in: fields) else { return nil }
            return nonEmptyText(node, "\(path).\(key)").map { (node, $0) }
        }
        if let (_, endpoint) = setting("endpoint") { target.options.endpoint = endpoint }
        if let (_, region) = setting("region") { target.options.region = region }
        if let node = optional("addressing", in: fields),
            let addressing = choice(node, "\(path).addressing", of: S3Endpoint.Addressing.self)
        {
            target.options.addressing = addressing
        }
        if let (_, storageClass) = setting("storage_class") { target.options.storageClass = storageClass }
        let variables: [(String, WritableKeyPath<PublishSpec, String?>)] = [
            ("authorization_env", \.options.authorizationVariable),
            ("access_key_id_env", \.credentialVariables.accessKeyID),
            ("secret_access_key_env", \.credentialVariables.secretAccessKey),
            ("session_token_env", \.credentialVariables.sessionToken),
        ]
        for (key, field) in variables {
            guard let (node, name) = setting(key) else { continue }
            guard Self.isEnvironmentVariableName(name) else {
                report(
                    node, "\(path).\(key)",
                    "expected the name of an environment variable (letters, digits and `_`, not starting with a digit)"
                        + " that holds the value, got \(quote(name)); never write a key itself here")
                continue
            }
            target[keyPath: field] = name
        }
        let waits = MediaTime.milliseconds(1_000)...PublishSpec.maximumWait
        if let node = optional("lag_warning", in: fields), let wait = duration(node, "\(path).lag_warning", within: waits) {
            target.lagWarning = wait
        }
        if let node = optional("finish_timeout", in: fields),
            let wait = duration(node, "\(path).finish_timeout", within: .milliseconds(0)...PublishSpec.maximumWait)
        {
            target.finishTimeout = wait
        }
        if target.credentialVariables.accessKeyID != nil, target.credentialVariables.secretAccessKey == nil,
            let entry = fields.entries["access_key_id_env"]
        {
            report(entry.key, "\(path).secret_access_key_env", "an access key needs its secret: add `secret_access_key_env`")
        }
        return checkTarget(target, at: urlNode, "\(path).url")
    }

    /// Reads the URL as the run will (``PublishTarget``) and reports what is wrong with it. Keys
    /// and the Authorization value come from the environment when the pipeline starts, so their
    /// absence is not a problem of the file.
    private mutating func checkTarget(_ target: PublishSpec, at node: Node, _ path: String) -> PublishSpec? {
        var environment = environment
        // Stand-ins for the values read at run time; the URL, options and endpoint are checked.
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] where environment[name]?.isEmpty ?? true {
            environment[name] = "checked-when-the-pipeline-runs"
        }
        if let variable = target.options.authorizationVariable, environment[variable]?.isEmpty ?? true {
            environment[variable] = "checked-when-the-pipeline-runs"
        }
        do {
            _ = try PublishTarget.parse(target.url, options: target.options, environment: environment)
            return target
        } catch {
            report(node, path, "\(quote(target.url)): \(error.summary) — \(error.fix)")
            return nil
        }
    }
}
