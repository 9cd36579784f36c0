import JSONSupport

/// The JSON body of Modify Guild Member (docs: `resources/guild` "Modify Guild Member"), read as far as the
/// sandbox models it: `nick` (a string, or `null` to remove it) and `roles` (the new list of role ids). The
/// other documented fields are about voice, timeouts and flags, which the sandbox does not model: they are
/// refused rather than silently ignored.
struct MemberPatch {
    static let modelledFields: Set = ["nick", "roles"]

    private(set) var edit = MemberEdit()

    init(_ request: SandboxRequest) throws(HTTPError) {
        guard request.mediaType == "application/json" else { throw HTTPError.contentTypeInvalid }
        let body = try JSON(discordBody: request.body)
        guard case .object(let fields) = body else {
            throw HTTPError.invalidFormBody(path: [], code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType")
        }
        if let other = fields.first(where: { !Self.modelledFields.contains($0.0) }) {
            throw HTTPError(.badRequest, discordMessage: "discord-sandbox does not model \"\(other.0)\" of Modify Guild Member")
        }
        switch body["nick"] {
        case nil: break
        case .null?: edit.nick = .set(nil)
        case .string(let nick)?:
            guard let sanitized = GuildMember.sanitizedNick(nick) else {
                throw HTTPError.invalidFormBody(field: "nick", code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 32 in length.")
            }
            edit.nick = .set(sanitized)
        default:
            throw HTTPError.invalidFormBody(field: "nick", code: "BASE_TYPE_STRING", message: "Must be a string.")
        }
        switch body["roles"] {
        case nil, .null?: break
        case .array(let elements)?:
            edit.roles = try elements.enumerated().map { index, element throws(HTTPError) in
                guard case .string(let id) = element, Snowflake.value(id) != nil else {
                    throw HTTPError.invalidFormBody(
                        path: ["roles", String(index)], code: "NUMBER_TYPE_COERCE",
                        message: "Value \"\(element.string ?? element.text)\" is not snowflake.")
                }
                return id
            }
        default:
            throw HTTPError.invalidFormBody(field: "roles", code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType")
        }
    }
}
