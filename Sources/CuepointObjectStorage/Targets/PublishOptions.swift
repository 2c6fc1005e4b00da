/// Settings of a publish target beside its URL: from the pipeline file's `publish:` entries,
/// or from the URL's query (`s3://shows/spring?region=eu-west-1&addressing=virtual-host`).
/// Whatever is not set comes from the AWS environment variables, then from the defaults.
public struct PublishOptions: Sendable, Equatable {
    /// The S3 endpoint URL, e.g. `http://127.0.0.1:8333` (else `AWS_ENDPOINT_URL_S3`,
    /// `AWS_ENDPOINT_URL`, else AWS's endpoint for the region). Query name `endpoint`.
    public var endpoint: String?
    /// The signing region (else `AWS_REGION`, `AWS_DEFAULT_REGION`, else `us-east-1`). Query name `region`.
    public var region: String?
    /// Path style or virtual host (default: path style with a custom endpoint, virtual host on
    /// AWS). Query name `addressing`, values `path` and `virtual-host`.
    public var addressing: S3Endpoint.Addressing?
    /// The storage class of uploads (`STANDARD_IA`, …); the store's default when unset. Query
    /// name `storage-class`.
    public var storageClass: String?
    /// The access key ID (else `AWS_ACCESS_KEY_ID`). Not read from a URL: keys do not belong in
    /// command lines.
    public var accessKeyID: String?
    /// The secret access key (else `AWS_SECRET_ACCESS_KEY`).
    public var secretAccessKey: String?
    /// The session token (else `AWS_SESSION_TOKEN`).
    public var sessionToken: String?
    /// For an HTTP origin: the name of the environment variable whose value is sent as the
    /// `Authorization` header (e.g. `ORIGIN_AUTHORIZATION` holding `Bearer abc…`). Query name
    /// `authorization-env`.
    public var authorizationVariable: String?

    public init(
        endpoint: String? = nil, region: String? = nil, addressing: S3Endpoint.Addressing? = nil,
        storageClass: String? = nil, accessKeyID: String? = nil, secretAccessKey: String? = nil,
        sessionToken: String? = nil, authorizationVariable: String? = nil
    ) {
        self.endpoint = endpoint
        self.region = region
        self.addressing = addressing
        self.storageClass = storageClass
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.authorizationVariable = authorizationVariable
    }

    /// The option names a target URL's query may carry.
    public static let queryNames = ["endpoint", "region", "addressing", "storage-class", "authorization-env"]
}
