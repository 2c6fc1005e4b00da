/// A publish target that cannot be used, with the target as written and the fix.
///
/// ```
/// s3:///spring: no bucket in the target — write s3://BUCKET/PREFIX, e.g. s3://shows/spring
/// ```
public struct PublishTargetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public enum Problem: Sendable, Equatable {
        /// The text is not a URL.
        case notAURL
        /// A scheme other than `s3`, `http` and `https`.
        case unknownScheme(String)
        /// `s3://` without a bucket name.
        case noBucket
        /// A bucket name S3 does not accept.
        case invalidBucket(String)
        /// An `http(s)://` target without a host.
        case noHost
        /// The endpoint (from the options or the environment variable named) is not an http(s) URL.
        case invalidEndpoint(String, source: String)
        /// An `addressing` value other than `path` and `virtual-host`.
        case invalidAddressing(String)
        /// A query option this client does not know, with the closest known one.
        case unknownOption(String, suggestion: String?)
        /// An option given both in the URL and in the options, with different values.
        case conflictingOption(String)
        /// Credentials are missing: the names of the variables to set.
        case missingCredentials([String])
        /// The variable that should hold the origin's Authorization value is unset or empty.
        case missingAuthorization(variable: String)
        /// An option that does not apply to this kind of target (e.g. `region` on an HTTP origin).
        case optionNotApplicable(String)
    }

    /// The target as written.
    public var target: String
    /// What is wrong.
    public var problem: Problem

    public init(target: String, problem: Problem) {
        self.target = target
        self.problem = problem
    }

    /// What to do about it.
    public var fix: String {
        switch problem {
        case .notAURL:
            "write a target as s3://BUCKET/PREFIX or http(s)://HOST[:PORT]/PREFIX"
        case .unknownScheme(let scheme):
            "`\(scheme)://` is not a publish target; use s3://BUCKET/PREFIX for S3-compatible stores or"
                + " http(s)://HOST/PREFIX for an origin that takes PUT and DELETE"
        case .noBucket:
            "write s3://BUCKET/PREFIX, e.g. s3://shows/spring"
        case .invalidBucket(let name):
            "`\(name)` is not a bucket name: use 3 to 63 lower-case letters, digits, dots and hyphens"
        case .noHost:
            "write http(s)://HOST[:PORT]/PREFIX"
        case .invalidEndpoint(let value, let source):
            "the endpoint `\(value)` (from \(source)) must be an http:// or https:// URL with a host,"
                + " e.g. http://127.0.0.1:8333"
        case .invalidAddressing(let value):
            "`addressing` is `path` or `virtual-host`, not `\(value)`"
        case .unknownOption(let name, let suggestion):
            "`\(name)` is not a target option"
                + (suggestion.map { "; did you mean `\($0)`?" } ?? "")
                + " Options: \(PublishOptions.queryNames.joined(separator: ", "))"
        case .conflictingOption(let name):
            "`\(name)` is given twice with different values (in the URL and in the target's settings); keep one"
        case .missingCredentials(let names):
            "set \(names.joined(separator: " and ")) (or give the keys in the target's settings)"
        case .missingAuthorization(let variable):
            "set the environment variable \(variable) to the origin's Authorization value, e.g. `Bearer …`"
        case .optionNotApplicable(let name):
            "`\(name)` applies to s3:// targets only; remove it"
        }
    }

    /// What is wrong, in a few words.
    public var summary: String {
        switch problem {
        case .notAURL: "not a URL"
        case .unknownScheme(let scheme): "unknown scheme `\(scheme)`"
        case .noBucket: "no bucket in the target"
        case .invalidBucket: "invalid bucket name"
        case .noHost: "no host in the target"
        case .invalidEndpoint: "invalid endpoint"
        case .invalidAddressing: "invalid addressing"
        case .unknownOption: "unknown option"
        case .conflictingOption: "conflicting option"
        case .missingCredentials: "no credentials for the target"
        case .missingAuthorization: "no Authorization value for the origin"
        case .optionNotApplicable: "option not applicable"
        }
    }

    public var description: String { "\(target): \(summary) — \(fix)" }
}
