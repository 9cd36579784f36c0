import GuildGateCore

/// A value that cannot be right is the caller's to fix (400); values Discord refused are well formed but
/// unusable (422); a save that would undo someone else's is a conflict (409). Each names its fields.
extension ClientSettingsRefusal: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .invalid: return .badRequest
        case .refusedByDiscord: return .unprocessableContent
        case .changedMeanwhile: return .conflict
        }
    }

    public var code: String {
        switch self {
        case .invalid: return "validation_failed"
        case .refusedByDiscord: return "discord_refused"
        case .changedMeanwhile: return "conflict"
        }
    }

    public var publicMessage: String {
        switch self {
        case .invalid: return "Some fields are invalid; nothing was saved."
        case .refusedByDiscord: return "Discord did not accept these settings; nothing was saved."
        case .changedMeanwhile: return description
        }
    }

    public var fieldErrors: [FieldError] {
        problems.map { FieldError($0.field.rawValue, $0.message) }
    }
}
