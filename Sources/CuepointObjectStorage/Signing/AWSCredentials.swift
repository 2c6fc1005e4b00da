/// The keys a request is signed with: what every AWS SDK reads from `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
///
/// Its description never shows the secret or the token, so it can be logged.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    /// The access key ID, e.g. `AKIAIOSFODNN7EXAMPLE`; it is sent in every `Authorization` header.
    public var accessKeyID: String
    /// The secret access key; it never leaves this process, only signatures made with it do.
    public var secretAccessKey: String
    /// A temporary session token (STS, IAM roles), sent as `x-amz-security-token` when present.
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "access key \(accessKeyID)" + (sessionToken == nil ? "" : " with a session token")
    }
}
