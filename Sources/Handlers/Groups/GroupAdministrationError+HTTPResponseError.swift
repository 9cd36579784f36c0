import GuildGateCore

/// Unknown groups and members are 404s; a name or role another group has is a conflict; a role no group
/// may map is unprocessable, named on its field.
extension GroupAdministrationError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .unknownGroup, .unknownMember: return .notFound
        case .nameTaken, .roleTaken, .noGuild: return .conflict
        case .unknownRole, .everyoneRole, .managedRole: return .unprocessableContent
        }
    }

    public var code: String {
        switch self {
        case .unknownGroup: return "unknown_group"
        case .unknownMember: return "unknown_member"
        case .nameTaken: return "name_taken"
        case .roleTaken: return "role_taken"
        case .noGuild: return "no_guild"
        case .unknownRole, .everyoneRole, .managedRole: return "role_not_assignable"
        }
    }

    public var publicMessage: String { description }

    public var fieldErrors: [FieldError] {
        switch self {
        case .nameTaken: return [FieldError("name", description)]
        case .roleTaken, .unknownRole, .everyoneRole, .managedRole: return [FieldError("role_id", description)]
        case .unknownGroup, .unknownMember, .noGuild: return []
        }
    }
}
