import Crypto

/// Whether an object on a store holds the same bytes as a local file, from what the store says
/// about it (its `ETag`) when that is enough.
///
/// S3 gives an object stored by one PUT the hex MD5 of its bytes as its `ETag` (quoted:
/// `"9e107d9d372bb6826bd81d3542a419d6"`); SeaweedFS and Ceph RGW do the same. Other ETags say
/// nothing about the bytes that can be checked here:
/// - a multipart upload's is the MD5 of the parts' MD5s with `-N` (N parts) after it; it depends
///   on the part sizes, which the uploader chose and the ETag does not say;
/// - an HTTP origin's is its own (nginx: the file's modification time and size in hex);
/// - a weak ETag (`W/"…"`) promises nothing byte for byte.
/// For those the caller compares the bytes themselves (a GET; segments and init sections are a
/// few megabytes at most).
public enum ObjectDigest {
    /// The hex MD5 an `ETag` states, lower-case, or nil when it is not a single-part MD5.
    public static func md5(fromETag eTag: String?) -> String? {
        guard var text = eTag?.trimmingSpaces, !text.hasPrefix("W/") else { return nil }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        guard text.count == 32, text.allSatisfy(\.isHexDigit) else { return nil }
        return text.lowercased()
    }

    /// The hex MD5 of `bytes`, lower-case (swift-crypto's `Insecure.MD5`: MD5 only names
    /// content here, as S3 does, it protects nothing).
    public static func md5(of bytes: some Sequence<UInt8>) -> String {
        SigV4Signer.hex(Insecure.MD5.hash(data: Array(bytes)))
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
