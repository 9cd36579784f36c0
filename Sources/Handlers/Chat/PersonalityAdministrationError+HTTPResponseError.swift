import GuildGateCore

extension PersonalityAdministrationError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .invalidPrompt: return .badRequest
        }
    }

    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .invalidPrompt: return "validation_failed"
        }
    }

    public var publicMessage: String {
        switch self {
        case .notFound(let name): return "There is no personality named \(name)."
        case .invalidPrompt: return "Some fields are invalid."
        }
    }

    public var fieldErrors: [FieldError] {
        guard case .invalidPrompt(let reason) = self else { return [] }
        return [FieldError("prompt", reason)]
    }
}
