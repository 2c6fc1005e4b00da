import CuepointTestSupport
import CuepointObjectStorage
import Testing

/// The S3 examples of AWS's "Signature Version 4 header-based auth" documentation
/// (Authenticating Requests: Using the Authorization Header), signed with the example keys at
/// 2013-05-24T00:00:00Z for the bucket `examplebucket` in us-east-1.
@Suite(.ownThreads) struct SigV4SignerTests {
    let signer = SigV4Signer(
        credentials: AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let date = AmzDate(secondsSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    let host = ("host", "examplebucket.s3.amazonaws.com")

    func authorization(_ headers: [(name: String, value: String)]) -> String? {
        headers.first { $0.name == "Authorization" }?.value
    }

    @Test func dateSpellings() {
        #expect(date.timestamp == "20130524T000000Z")
        #expect(date.day == "20130524")
        #expect(AmzDate(httpDate: "Fri, 24 May 2013 00:00:00 GMT") == date)
        #expect(AmzDate(httpDate: "yesterday") == nil)
    }

    @Test func getObjectWithRange() {
        let headers = signer.signedHeaders(
            method: "GET", encodedPath: "/test.txt", headers: [host, ("Range", "bytes=0-9")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func getObjectCanonicalRequestAndStringToSign() {
        let request = CanonicalRequest(
            method: "GET", encodedPath: "/test.txt", query: [],
            headers: [
                host, ("Range", "bytes=0-9"), ("x-amz-content-sha256", SigV4Signer.emptyPayloadHash),
                ("x-amz-date", "20130524T000000Z"),
            ], payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(
            request.text == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(
            signer.stringToSign(request, date: date) == """
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                """)
    }

    @Test func putObject() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let payloadHash = SigV4Signer.payloadHash(body)
        #expect(payloadHash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let headers = signer.signedHeaders(
            method: "PUT", encodedPath: "/" + URIEncoding.encodePath("test$file.text"),
            headers: [host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: payloadHash, date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycle() {
        let headers = signer.signedHeaders(
            method: "GET", encodedPath: "/", query: [("lifecycle", "")], headers: [host],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                + "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjects() {
        let headers = signer.signedHeaders(
            method: "GET", encodedPath: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [host],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(
            authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func queryIsSortedAndParametersWithoutValueKeepTheirEqualsSign() {
        let request = CanonicalRequest(
            method: "POST", encodedPath: "/b/k", query: [("uploads", ""), ("prefix", "a b/c"), ("max-keys", "2")],
            headers: [], payloadHash: "")
        #expect(request.canonicalQuery == "max-keys=2&prefix=a%20b%2Fc&uploads=")
    }

    @Test func headersAreLowerCasedTrimmedAndMerged() {
        let request = CanonicalRequest(
            method: "GET", encodedPath: "/", query: [],
            headers: [("X-Amz-Meta-A", "  one   two  "), ("x-amz-meta-a", "three"), ("Host", "h")], payloadHash: "p")
        #expect(request.signedHeaderNames == "host;x-amz-meta-a")
        #expect(request.text.contains("x-amz-meta-a:one two,three\n"))
    }

    @Test func sessionTokenIsSentAndSigned() {
        var withToken = signer
        withToken.credentials.sessionToken = "token/with+chars="
        let headers = withToken.signedHeaders(
            method: "GET", encodedPath: "/k", headers: [host], payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(headers.contains { $0.name == "x-amz-security-token" && $0.value == "token/with+chars=" })
        #expect(authorization(headers)?.contains("x-amz-date;x-amz-security-token") == true)
        #expect(String(describing: withToken.credentials).contains("wJalr") == false)
    }

    @Test(arguments: [
        ("seg 1.ts", "seg%201.ts"), ("a+b.ts", "a%2Bb.ts"), ("show/live/seg~1.m4s", "show/live/seg~1.m4s"),
        ("tête/é.ts", "t%C3%AAte/%C3%A9.ts"), ("a%20b", "a%2520b"), ("x=y&z", "x%3Dy%26z"),
    ])
    func pathSegmentsAreEncodedOnce(key: String, expected: String) {
        #expect(URIEncoding.encodePath(key) == expected)
    }
}
