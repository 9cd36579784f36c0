import NIOCore
import NIOHTTP1

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
        do {
            path = try URLEncoding.decode(pathPart, plusIsSpace: false)
            query = try rawQuery.map { try FormFields(parsing: $0[...]) } ?? FormFields()
        } catch {
            throw HTTPError(.badRequest, discordMessage: "400: Bad Request")
        }
        method = head.method
        headers = head.headers
        self.body = body
    }

    var userAgent: String? { headers.first(name: "user-agent") }

    /// A parameter of the `Content-Type` header (`boundary`), unquoted.
    func contentTypeParameter(_ name: String) -> String? {
        guard let value = headers.first(name: "content-type") else { return nil }
        for parameter in value.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == name else { continue }
            let raw = pair[1].trimmingSpaces
            return String(raw.count >= 2 && raw.hasPrefix("\"") && raw.hasSuffix("\"") ? raw.dropFirst().dropLast() : raw)
        }
        return nil
    }

    var authorization: Authorization? {
        headers.first(name: "authorization").map(Authorization.init(headerValue:))
    }

    /// The media type of the body, lowercased and without parameters (`application/json`).
    var mediaType: String? {
        headers.first(name: "content-type").map {
            $0.prefix { $0 != ";" }.trimmingSpaces.lowercased()
        }
    }

    func formBody() throws(URLEncoding.MalformedError) -> FormFields {
        try FormFields(parsing: String(buffer: body)[...])
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
