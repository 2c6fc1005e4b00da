import Cuepoint

/// The live marker API of a running recording: `POST /v1/markers`, `POST /v1/markers/{id}/close`,
/// `GET /v1/markers` and `GET /v1/markers/{id}`, and the console's product catalogue
/// (`GET`/`PUT /v1/products`), behind a bearer token, a body size limit and a
/// rate limit per client address (`docs/http-api.md`).
///
/// The API is off unless a non-empty token is given: a server without one answers 404 on every
/// route of the API. The files of the recording stay public either way.
public struct MarkerAPI: Sendable {
    /// The secret a request must send as `Authorization: Bearer TOKEN`.
    public var token: String
    /// What the requests drive: a running ``PipelineRunner``, usually.
    public var endpoint: any MarkerEndpoint
    /// The largest request body taken, in bytes (larger: 413).
    public var maximumBodyBytes: Int
    /// Requests a second a client address may make on average (more: 429); below 1 for
    /// less than one a second.
    public var requestsPerSecond: Double
    /// Requests a client address may make at once.
    public var burst: Int
    /// The products the console lists (`GET`/`PUT /v1/products`); with products in it, a marker
    /// must name one of them as its `product`.
    public var products: ProductCatalogueStore

    /// ``requestsPerSecond`` when not given.
    public static let defaultRequestsPerSecond = 20.0
    /// ``burst`` when not given.
    public static let defaultBurst = 40

    public init(
        token: String, endpoint: any MarkerEndpoint, maximumBodyBytes: Int = 16 * 1024,
        requestsPerSecond: Double = MarkerAPI.defaultRequestsPerSecond, burst: Int = MarkerAPI.defaultBurst,
        products: ProductCatalogueStore = ProductCatalogueStore()
    ) {
        self.products = products
        self.token = token
        self.endpoint = endpoint
        self.maximumBodyBytes = maximumBodyBytes
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }
}
