import GuildGateCore

extension UserAdministrationError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .notLinked: return .conflict
        }
    }

    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .notLinked: return "not_linked"
        }
    }

    public var publicMessage: String {
        switch self {
        case .notFound(let id): return "There is no user \(id)."
        case .notLinked(let id): return "User \(id) has no Discord account linked: there is nothing to unlink."
        }
    }
}
