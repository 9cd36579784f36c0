import NIOHTTP1

/// Error bodies in the shapes Discord documents (reference §1.4, §2.1, §3).
extension HTTPError {
    /// `{"message": "...", "code": N}`, the body of most REST errors.
    init(_ status: HTTPResponseStatus, discordMessage: String, code: Int = 0) {
        self.init(status, json: ["message": .string(discordMessage), "code": .integer(code)])
    }

    static let unauthorized = HTTPError(.unauthorized, discordMessage: "401: Unauthorized")
    static let notFound = HTTPError(.notFound, discordMessage: "404: Not Found")
    static let methodNotAllowed = HTTPError(.methodNotAllowed, discordMessage: "405: Method Not Allowed")
    static let internalServerError = HTTPError(.internalServerError, discordMessage: "500: Internal Server Error")

    /// Cloudflare's answer to a request without a proper `User-Agent`.
    static let userAgentBlocked = HTTPError(
        .forbidden,
        discordMessage: "Cloudflare is blocking your request. This can often be resolved by setting a proper User Agent",
        code: 40333
    )

    /// `50035 Invalid Form Body` with one field error.
    static func invalidFormBody(field: String, code: String, message: String) -> HTTPError {
        let fieldErrors: JSONValue = ["_errors": [["code": .string(code), "message": .string(message)]]]
        return HTTPError(
            .badRequest,
            json: [
                "message": "Invalid Form Body",
                "code": 50035,
                "errors": .object([(key: field, value: fieldErrors)]),
            ]
        )
    }

    /// RFC 6749 error bodies of the token endpoint.
    static func oauth(_ error: String, description: String? = nil, status: HTTPResponseStatus = .badRequest) -> HTTPError {
        var body: [(key: String, value: JSONValue)] = [(key: "error", value: .string(error))]
        if let description {
            body.append((key: "error_description", value: .string(description)))
        }
        return HTTPError(status, json: .object(body))
    }
}
