import CuepointTestSupport
import CuepointObjectStorage
import Testing

/// Which ETags state an MD5 (S3's single-part objects) and which do not (multipart, an origin's
/// own, weak): the replicator compares bytes by the first and reads the object back for the rest.
@Suite(.ownThreads) struct ObjectDigestTests {
    @Test(arguments: [
        ("\"9E107D9D372BB6826BD81D3542A419D6\"", "9e107d9d372bb6826bd81d3542a419d6"),
        ("9e107d9d372bb6826bd81d3542a419d6", "9e107d9d372bb6826bd81d3542a419d6"),
        ("\"d41d8cd98f00b204e9800998ecf8427e-2\"", nil),  // multipart: MD5 of the parts' MD5s
        ("\"6571f2a1-50b\"", nil),  // nginx: modification time and size
        ("W/\"9e107d9d372bb6826bd81d3542a419d6\"", nil),  // weak
        ("\"9e107d9d372bb6826bd81d3542a419dz\"", nil),
        ("", nil),
    ] as [(String, String?)])
    func anETagStatesAnMD5OnlyForASinglePartObject(eTag: String, md5: String?) {
        #expect(ObjectDigest.md5(fromETag: eTag) == md5)
    }

    @Test func theMD5OfBytesIsLowerCaseHex() {
        // RFC 1321's test suite: MD5("abc").
        #expect(ObjectDigest.md5(of: Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
    }
}
