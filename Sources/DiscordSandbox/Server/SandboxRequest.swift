import NIOCore
import NIOHTTP1
import WireFormats

/// One aggregated HTTP request with its target already split and decoded.
struct SandboxRequest: Sendable {
    let method: HTTPMethod
    /// The percent-decoded path, without the query.
    let path: String
    /// The query exactly as sent (without `?`), or `nil` when the target had none.
    let rawQuery: String?
    let query: FormFields
    let headers: HTTPHeaders
    let body: ByteBuffer

    /// Fails with a 400 response when the target is not an origin-form path or is badly percent-encoded.
    init(head: HTTPRequestHead, body: ByteBuffer) throws(HTTPError) {
        let target = head.uri[...]
        guard target.hasPrefix("/") else {
            throw HTTPError(.badRequest, discordMessage: "400: Bad Request")
        }
        let pathPart: Substring
        if let questionMark = target.firstIndex(of: "?") {
            pathPart = target[..<questionMark]
            rawQuery = String(target[target.index(after: questionMark)...])
        } else {
            pathPart = target
            rawQuery = nil
        }
        guard let path = PercentDecoding.decode(pathPart, plusAsSpace: false),
            let query = rawQuery.map({ FormFields(parsing: $0[...]) }) ?? FormFields()
        else {
            throw HTTPError(.badRequest, discordMessage: "400: Bad Request")
        }
        self.path = path
        self.query = query
        method = head.method
        headers = head.headers
        self.body = body
    }

    var userAgent: String? { headers.first(name: "user-agent") }

    var authorization: Authorization? {
        headers.first(name: "authorization").map(Authorization.init(headerValue:))
    }

    /// The media type of the body, lowercased and without parameters (`application/json`).
    var mediaType: String? {
        headers.first(name: "content-type").map {
            $0.prefix { $0 != ";" }.trimmingSpaces.lowercased()
        }
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
