public import AsyncHTTPClient
import NIOCore

/// The one HTTP client every object-storage client shares by default (one connection pool per
/// process, kept for its life, so it is never shut down).
///
/// Unlike `HTTPClient.shared`, it does not retry a refused connection until the request's
/// deadline: the ``Replicator`` has its own backoff (``RetryPolicy``), and ``S3Client/checkAccess(prefix:)``
/// must say "nothing answers at the endpoint" at once, not after a minute.
public enum ObjectStorageHTTP {
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}
