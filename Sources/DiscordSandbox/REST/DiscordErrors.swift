import JSONSupport
import NIOHTTP1

/// Error bodies in the shapes Discord documents (docs: `topics/oauth2` (token errors); `reference` "HTTP API"; `topics/rate-limits`).
extension HTTPError {
    /// `{"message": "...", "code": N}`, the body of most REST errors.
    init(_ status: HTTPResponseStatus, discordMessage: String, code: Int = 0) {
        self.init(status, json: ["message": .string(discordMessage), "code": .int(code)])
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

    static let badRequest = HTTPError(.badRequest, discordMessage: "400: Bad Request")
    static let unknownChannel = HTTPError(.notFound, discordMessage: "Unknown Channel", code: 10003)
    static let unknownGuild = HTTPError(.notFound, discordMessage: "Unknown Guild", code: 10004)
    static let unknownGuildMember = HTTPError(.notFound, discordMessage: "Unknown Member", code: 10007)
    static let unknownMessage = HTTPError(.notFound, discordMessage: "Unknown Message", code: 10008)
    static let unknownRole = HTTPError(.notFound, discordMessage: "Unknown Role", code: 10011)
    static let unknownWebhook = HTTPError(.notFound, discordMessage: "Unknown Webhook", code: 10015)
    static let unknownInteraction = HTTPError(.notFound, discordMessage: "Unknown interaction", code: 10062)
    static let interactionAcknowledged = HTTPError(
        .badRequest,
        discordMessage: "Interaction has already been acknowledged.",
        code: 40060
    )
    static let invalidWebhookToken = HTTPError(.unauthorized, discordMessage: "Invalid Webhook Token", code: 50027)
    static let emptyMessage = HTTPError(.badRequest, discordMessage: "Cannot send an empty message", code: 50006)
    static let invalidRecipients = HTTPError(.badRequest, discordMessage: "Invalid Recipient(s)", code: 50033)
    static let directMessageChannel = HTTPError(.forbidden, discordMessage: "Cannot execute action on a DM channel", code: 50003)
    static let bulkDeleteTooOld = HTTPError(
        .badRequest,
        discordMessage: "You can only bulk delete messages that are under 14 days old.",
        code: 50034
    )

    /// A body over Discord's request size, or a file over the attachment size limit (docs: `resources/message` "Create Message").
    static let requestEntityTooLarge = HTTPError(.payloadTooLarge, discordMessage: "Request entity too large", code: 40005)
    static let missingAccess = HTTPError(.forbidden, discordMessage: "Missing Access", code: 50001)
    static let missingPermissions = HTTPError(.forbidden, discordMessage: "Missing Permissions", code: 50013)
    static let invalidJSON = HTTPError(.badRequest, discordMessage: "The request body contains invalid JSON.", code: 50109)

    /// A body whose `Content-Type` is none of the three Discord reads (docs: `reference` "HTTP API").
    static let contentTypeInvalid = invalidFormBody(
        path: [],
        code: "CONTENT_TYPE_INVALID",
        message: "Expected \"Content-Type\" header to be one of {'application/json', "
            + "'application/x-www-form-urlencoded', 'multipart/form-data'}."
    )

    /// `50035 Invalid Form Body` with one field error.
    static func invalidFormBody(field: String, code: String, message: String) -> HTTPError {
        invalidFormBody(path: [field], code: code, message: message)
    }

    /// `50035 Invalid Form Body` with one error at a nested field: `["attachments", "0", "id"]` becomes
    /// `{"attachments": {"0": {"id": {"_errors": [...]}}}}`, as Discord nests them.
    static func invalidFormBody(path: [String], code: String, message: String) -> HTTPError {
        var errors: JSON = ["_errors": [["code": .string(code), "message": .string(message)]]]
        for key in path.reversed() {
            errors = .object([(key, errors)])
        }
        return HTTPError(.badRequest, json: ["message": "Invalid Form Body", "code": 50035, "errors": errors])
    }

    /// RFC 6749 error bodies of the token endpoint.
    static func oauth(_ error: String, description: String? = nil, status: HTTPResponseStatus = .badRequest) -> HTTPError {
        var body: [(String, JSON)] = [("error", .string(error))]
        if let description {
            body.append(("error_description", .string(description)))
        }
        return HTTPError(status, json: .object(body))
    }
}
