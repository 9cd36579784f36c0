import GuildGateCore

extension ConversationSyncError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .idempotencyKeyReused: return .unprocessableContent
        }
    }

    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .idempotencyKeyReused: return "idempotency_key_reused"
        }
    }

    public var publicMessage: String {
        switch self {
        case .notFound: return "You have no conversation with this id."
        case .idempotencyKeyReused:
            return "This Idempotency-Key was used before with a different request: send a new key for a new conversation."
        }
    }
}
