import Foundation

/// A strong `ETag` derived from a response body (64-bit FNV-1a: for telling versions apart, not security),
/// and the `If-None-Match` check that turns an unchanged answer into a 304.
enum EntityTag {
    static func of(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Whether the request's `If-None-Match` names `etag` (or is `*`).
    static func matches(_ request: Request, _ etag: String) -> Bool {
        guard let header = request.header("if-none-match") else { return false }
        return header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }

    /// `body` with its `ETag` and `headers`, or a 304 with the `ETag`, `Cache-Control` and
    /// `Access-Control-Allow-Origin` only when the client has this version.
    static func conditional(_ request: Request, body: [UInt8], headers: [(String, String)]) -> Response {
        let etag = of(body)
        let shared = [("ETag", etag)] + headers.filter { $0.0 == "Cache-Control" || $0.0 == "Access-Control-Allow-Origin" }
        guard !matches(request, etag) else { return Response(status: .notModified, headers: shared) }
        return Response(headers: headers + [("ETag", etag)], body: .bytes(body))
    }
}
