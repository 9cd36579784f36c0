import Foundation

/// A strong entity tag for conditional GETs: `ETag` on the answer, `If-None-Match` from the client.
public struct EntityTag: Equatable {
    /// The quoted form, as the `ETag` header carries it.
    public let header: String

    /// `opaque` must be visible ASCII without `"` (a version number, digits and dots).
    public init(_ opaque: String) {
        header = "\"" + opaque + "\""
    }

    /// A tag derived from a response body (64-bit FNV-1a: for telling versions apart, not security).
    public static func of(_ bytes: [UInt8]) -> EntityTag {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return EntityTag(String(repeating: "0", count: 16 - hex.count) + hex)
    }

    /// Whether the request's `If-None-Match` lists this tag (or `*`): the client's copy is current. Compared
    /// weakly, as RFC 9110 asks for `If-None-Match`: a proxy that compresses the answer marks its tag `W/`.
    public func isCurrent(for request: Request) -> Bool {
        guard let field = request.header("if-none-match") else { return false }
        return field.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == header || tag == "W/" + header
        }
    }

    /// `body` with its `ETag` and `headers`, or a 304 with the `ETag`, `Cache-Control` and
    /// `Access-Control-Allow-Origin` only when the client has this version.
    static func conditional(_ request: Request, body: [UInt8], headers: [(String, String)]) -> Response {
        let tag = of(body)
        let shared = [("ETag", tag.header)] + headers.filter { $0.0 == "Cache-Control" || $0.0 == "Access-Control-Allow-Origin" }
        guard !tag.isCurrent(for: request) else { return Response(status: .notModified, headers: shared) }
        return Response(headers: headers + [("ETag", tag.header)], body: .bytes(body))
    }
}
