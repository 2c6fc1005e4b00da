public import CuepointObjectStorage
public import CuepointTime

/// One entry of `output.publish:`: a store the recording is copied to while it is made (an
/// S3-compatible object store or an HTTP origin), with its settings.
///
/// ```yaml
/// output:
///   publish:
///     - s3://shows/live/spring-sale            # settings from the AWS environment variables
///     - url: s3://shows/live/spring-sale
///       endpoint: http://127.0.0.1:8333        # else AWS_ENDPOINT_URL, else AWS
///       region: eu-west-1                      # else AWS_REGION, else us-east-1
///       addressing: path                       # or virtual-host
///       storage_class: STANDARD_IA
///       access_key_id_env: SHOWS_KEY_ID        # names of variables holding the keys,
///       secret_access_key_env: SHOWS_SECRET    # else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
///       lag_warning: 20s
///       finish_timeout: 2m
///     - url: https://origin.example.com/live/spring-sale
///       authorization_env: ORIGIN_TOKEN        # its value is sent as Authorization
/// ```
///
/// Keys are never written in the file: the `*_env` keys name the environment variables that
/// hold them, read when the pipeline starts.
public struct PublishSpec: Sendable, Equatable {
    /// `lag_warning` when the entry does not say: three segment durations (a player's buffer).
    public static func defaultLagWarning(segmentDuration: MediaTime) -> MediaTime {
        .milliseconds(segmentDuration.milliseconds * 3)
    }
    /// `finish_timeout` when the entry does not say: one minute.
    public static let defaultFinishTimeout = MediaTime.milliseconds(60_000)
    /// The longest `finish_timeout` and `lag_warning`: an hour.
    public static let maximumWait = MediaTime.milliseconds(3_600_000)

    /// `s3://BUCKET/PREFIX` or `http(s)://HOST[:PORT]/PREFIX`, with options in the query if wanted.
    public var url: String
    /// `endpoint`, `region`, `addressing`, `storage_class` and `authorization_env` of the entry
    /// (keys come from ``credentialVariables`` when the pipeline starts).
    public var options: PublishOptions
    /// The names of the variables that hold the keys (`access_key_id_env`, …); nil: the AWS ones.
    public var credentialVariables: CredentialVariables
    /// How old the oldest operation not yet on the store may get before a warning (`lag_warning`);
    /// nil: ``defaultLagWarning(segmentDuration:)``.
    public var lagWarning: MediaTime?
    /// How long the end of a run waits for the store to take what is left (`finish_timeout`).
    public var finishTimeout: MediaTime

    /// The variables the keys are read from.
    public struct CredentialVariables: Sendable, Equatable {
        public var accessKeyID: String?
        public var secretAccessKey: String?
        public var sessionToken: String?

        public init(accessKeyID: String? = nil, secretAccessKey: String? = nil, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    public init(
        url: String, options: PublishOptions = PublishOptions(), credentialVariables: CredentialVariables = .init(),
        lagWarning: MediaTime? = nil, finishTimeout: MediaTime = PublishSpec.defaultFinishTimeout
    ) {
        self.url = url
        self.options = options
        self.credentialVariables = credentialVariables
        self.lagWarning = lagWarning
        self.finishTimeout = finishTimeout
    }

    /// The target, resolved with `environment`: the entry's settings, its credential variables,
    /// then the AWS variables.
    ///
    /// - Throws: ``CuepointError`` naming the target and the fix (no bucket, missing keys, a
    ///   variable named by a `*_env` key that is not set…).
    public func resolve(environment: [String: String]) throws(CuepointError) -> PublishTarget {
        var options = options
        let named: [(String?, WritableKeyPath<PublishOptions, String?>, String)] = [
            (credentialVariables.accessKeyID, \.accessKeyID, "access_key_id_env"),
            (credentialVariables.secretAccessKey, \.secretAccessKey, "secret_access_key_env"),
            (credentialVariables.sessionToken, \.sessionToken, "session_token_env"),
        ]
        for case (let variable?, let field, let key) in named {
            guard let value = environment[variable], !value.isEmpty else {
                throw CuepointError(
                    subject: url, message: "the environment variable \(variable) (\(key)) is not set or empty",
                    fix: "set \(variable) to the key, or remove `\(key)` to use the AWS variables")
            }
            options[keyPath: field] = value
        }
        do {
            return try PublishTarget.parse(url, options: options, environment: environment)
        } catch {
            throw CuepointError(subject: error.target, message: error.summary, fix: error.fix)
        }
    }
}
