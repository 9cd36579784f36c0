/// The errors of the HTTP layer itself (routing, input, credentials, limits); each capability's own
/// errors conform to `HTTPResponseError` where they are defined.
public enum HTTPError: HTTPResponseError, Equatable {
    case badRequest(String)
    case validation([FieldError])
    case unauthorized(String)
    case forbidden(String)
    case notFound
    case methodNotAllowed(allowed: [String])
    /// The resource is not in a state that allows this (an upload still in progress).
    case conflict(String)
    /// The resource is gone for good (a damaged file).
    case gone(String)
    /// The request body arrived too slowly (a slow client would hold a worker thread).
    case requestTimeout
    case payloadTooLarge(limit: Int)
    case unsupportedMediaType(expected: String)
    /// `message` says what was too many, when it is not attempts.
    case tooManyRequests(retryAfterSeconds: Int, message: String? = nil)
    case serviceUnavailable(String)
    case internalError

    public var status: HTTPStatus {
        switch self {
        case .badRequest, .validation: return .badRequest
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        case .notFound: return .notFound
        case .methodNotAllowed: return .methodNotAllowed
        case .conflict: return .conflict
        case .gone: return .gone
        case .requestTimeout: return .requestTimeout
        case .payloadTooLarge: return .payloadTooLarge
        case .unsupportedMediaType: return .unsupportedMediaType
        case .tooManyRequests: return .tooManyRequests
        case .serviceUnavailable: return .serviceUnavailable
        case .internalError: return .internalServerError
        }
    }

    /// A stable, machine-readable code.
    public var code: String {
        switch self {
        case .badRequest: return "bad_request"
        case .validation: return "validation_failed"
        case .unauthorized: return "unauthorized"
        case .forbidden: return "forbidden"
        case .notFound: return "not_found"
        case .methodNotAllowed: return "method_not_allowed"
        case .conflict: return "conflict"
        case .gone: return "gone"
        case .requestTimeout: return "request_timeout"
        case .payloadTooLarge: return "payload_too_large"
        case .unsupportedMediaType: return "unsupported_media_type"
        case .tooManyRequests: return "too_many_requests"
        case .serviceUnavailable: return "service_unavailable"
        case .internalError: return "server_error"
        }
    }

    public var publicMessage: String {
        switch self {
        case .badRequest(let message), .unauthorized(let message), .forbidden(let message),
            .serviceUnavailable(let message), .conflict(let message), .gone(let message):
            return message
        case .validation: return "Some fields are invalid."
        case .notFound: return "There is nothing at this address."
        case .methodNotAllowed(let allowed): return "Use \(allowed.joined(separator: " or ")) here."
        case .requestTimeout:
            return "The request body arrived too slowly and was cut off. Check the connection and send it again."
        case .payloadTooLarge(let limit): return "The request body is larger than the \(limit) bytes allowed here."
        case .unsupportedMediaType(let expected): return "Send the body as \(expected)."
        case .tooManyRequests(let seconds, let message):
            return (message ?? "Too many attempts.") + " Try again in \(seconds) seconds."
        case .internalError: return "Something went wrong on our side. It has been logged; please try again."
        }
    }

    public var fieldErrors: [FieldError] {
        if case .validation(let fields) = self { return fields }
        return []
    }

    public var headers: [(String, String)] {
        switch self {
        case .methodNotAllowed(let allowed): return [("Allow", allowed.joined(separator: ", "))]
        case .tooManyRequests(let seconds, _): return [("Retry-After", String(seconds))]
        case .unauthorized: return [("WWW-Authenticate", "Bearer realm=\"guildgate\"")]
        default: return []
        }
    }
}
