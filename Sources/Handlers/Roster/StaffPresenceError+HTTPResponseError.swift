import GuildGateCore

/// A staff member who is not on the roster is not found; a user changing someone else's card is refused.
extension StaffPresenceError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .notYours: return .forbidden
        }
    }

    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .notYours: return "forbidden"
        }
    }

    public var publicMessage: String {
        switch self {
        case .notFound(let id): return "There is no staff member \(id) on the roster."
        case .notYours: return "Only that staff member (signed in with their Discord account) or an admin can change their presence card."
        }
    }
}
