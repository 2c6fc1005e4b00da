/// The XML documents of the S3 API this client reads and writes, decoded and encoded by
/// XMLCoder (S3 answers in XML; XMLCoder maps it to `Codable` types, so no parsing by hand).

/// `<Error><Code>NoSuchBucket</Code><Message>…</Message>…</Error>`, the body of a failed request.
struct S3ErrorDocument: Decodable {
    var code: String
    var message: String?

    enum CodingKeys: String, CodingKey {
        case code = "Code"
        case message = "Message"
    }
}

/// The answer of ListObjectsV2 (`GET /BUCKET?list-type=2`).
struct ListBucketResult: Decodable {
    struct Content: Decodable {
        var key: String
        var size: Int
        var eTag: String?

        enum CodingKeys: String, CodingKey {
            case key = "Key"
            case size = "Size"
            case eTag = "ETag"
        }
    }

    /// A "folder" under the prefix when the request had a delimiter: `<CommonPrefixes><Prefix>…`.
    struct CommonPrefix: Decodable {
        var prefix: String

        enum CodingKeys: String, CodingKey { case prefix = "Prefix" }
    }

    var contents: [Content]?
    var commonPrefixes: [CommonPrefix]?
    var isTruncated: Bool?
    var nextContinuationToken: String?

    enum CodingKeys: String, CodingKey {
        case contents = "Contents"
        case commonPrefixes = "CommonPrefixes"
        case isTruncated = "IsTruncated"
        case nextContinuationToken = "NextContinuationToken"
    }
}

/// The body of DeleteObjects (`POST /BUCKET?delete`).
struct DeleteRequestDocument: Encodable {
    struct Object: Encodable {
        var key: String
        enum CodingKeys: String, CodingKey { case key = "Key" }
    }

    /// Only failures are listed in the answer.
    var quiet = true
    var objects: [Object]

    enum CodingKeys: String, CodingKey {
        case quiet = "Quiet"
        case objects = "Object"
    }
}

/// The answer of DeleteObjects: in quiet mode, only the keys that could not be deleted.
struct DeleteResultDocument: Decodable {
    struct Failure: Decodable {
        var key: String?
        var code: String?
        var message: String?

        enum CodingKeys: String, CodingKey {
            case key = "Key"
            case code = "Code"
            case message = "Message"
        }
    }

    var errors: [Failure]?

    enum CodingKeys: String, CodingKey { case errors = "Error" }
}

/// The answer of CreateMultipartUpload (`POST /BUCKET/KEY?uploads`).
struct InitiateMultipartUploadResult: Decodable {
    var uploadID: String

    enum CodingKeys: String, CodingKey { case uploadID = "UploadId" }
}

/// The body of CompleteMultipartUpload (`POST /BUCKET/KEY?uploadId=…`).
struct CompleteMultipartUploadDocument: Encodable {
    struct Part: Encodable {
        var partNumber: Int
        var eTag: String

        enum CodingKeys: String, CodingKey {
            case partNumber = "PartNumber"
            case eTag = "ETag"
        }
    }

    var parts: [Part]

    enum CodingKeys: String, CodingKey { case parts = "Part" }
}

/// The namespace S3's request documents carry.
let s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/"
