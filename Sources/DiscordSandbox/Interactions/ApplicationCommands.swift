import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A command as a bulk overwrite gives it (docs: `interactions/application-commands`), checked as Discord checks it: CHAT_INPUT names
/// 1–32 lowercase letters, digits, `-` and `_` (`^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`), descriptions
/// 1–100 characters; USER and MESSAGE commands take any 1–32 character name and no description. Options
/// (at most 25 per level) are checked the same way, sub-commands recursively.
struct CommandDefinition: Sendable {
    static let chatInput = 1
    static let maxOptions = 25

    let type: Int
    let name: String
    let description: String
    let options: [JSON]
    let defaultMemberPermissions: JSON
    let nsfw: Bool

    /// The definition in a canonical form, to tell an unchanged command on overwrite.
    var fingerprint: String {
        JSON.object([
            ("type", .int(type)), ("name", .string(name)), ("description", .string(description)),
            ("options", .array(options)), ("default_member_permissions", defaultMemberPermissions), ("nsfw", .bool(nsfw)),
        ]).text
    }

    /// - Parameter index: the command's position in the request, where errors are reported.
    init(_ json: JSON, index: Int) throws(HTTPError) {
        let path = [String(index)]
        guard case .object = json else {
            throw HTTPError.invalidFormBody(path: path, code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType")
        }
        let typeValue = json["type"] ?? .null
        guard typeValue == .null || (1...3).contains(typeValue.wholeNumber ?? 0) else {
            throw HTTPError.invalidFormBody(path: path + ["type"], code: "BASE_TYPE_CHOICES", message: "Value must be one of {1, 2, 3}.")
        }
        type = typeValue.wholeNumber ?? Self.chatInput
        name = try Self.name(json, path: path, chatInput: type == Self.chatInput)
        let description = try Self.string(json, "description", path: path) ?? ""
        if type == Self.chatInput {
            try Self.checkDescription(description, path: path)
        } else if !description.isEmpty {
            throw HTTPError.invalidFormBody(
                path: path + ["description"],
                code: "APPLICATION_COMMAND_DESCRIPTION_NOT_EMPTY",
                message: "Description must be empty for user and message commands."
            )
        }
        self.description = description
        options = try Self.options(json["options"], path: path)
        switch json["default_member_permissions"] {
        case nil, .null?: defaultMemberPermissions = .null
        case .string(let value)? where Snowflake.value(value) != nil: defaultMemberPermissions = .string(value)
        default:
            throw HTTPError.invalidFormBody(
                path: path + ["default_member_permissions"],
                code: "NUMBER_TYPE_COERCE",
                message: "Value is not a valid permission bitfield."
            )
        }
        nsfw = if case .bool(true)? = json["nsfw"] { true } else { false }
    }

    private static func options(_ value: JSON?, path: [String]) throws(HTTPError) -> [JSON] {
        let elements: [JSON]
        switch value {
        case nil, .null?: return []
        case .array(let array)?: elements = array
        default:
            throw HTTPError.invalidFormBody(
                path: path + ["options"], code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType")
        }
        guard elements.count <= maxOptions else {
            throw HTTPError.invalidFormBody(
                path: path + ["options"], code: "BASE_TYPE_MAX_LENGTH", message: "Must be 25 or fewer in length.")
        }
        var names: Set<String> = []
        for (index, option) in elements.enumerated() {
            let optionPath = path + ["options", String(index)]
            guard case .object = option else {
                throw HTTPError.invalidFormBody(
                    path: optionPath, code: "DICT_TYPE_CONVERT", message: "Only dictionaries may be used in a DictType")
            }
            guard let type = option["type"]?.wholeNumber, (1...11).contains(type) else {
                throw HTTPError.invalidFormBody(
                    path: optionPath + ["type"],
                    code: "BASE_TYPE_CHOICES",
                    message: "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}."
                )
            }
            let name = try Self.name(option, path: optionPath, chatInput: true)
            guard names.insert(name).inserted else {
                throw HTTPError.invalidFormBody(
                    path: optionPath + ["name"],
                    code: "APPLICATION_COMMAND_OPTION_NAME_ALREADY_EXISTS",
                    message: "Option name \(name) is already used in these options"
                )
            }
            try checkDescription(try string(option, "description", path: optionPath) ?? "", path: optionPath)
            // Sub-commands and groups nest options of their own.
            if type <= 2 { _ = try options(option["options"], path: optionPath) }
        }
        return elements
    }

    private static func name(_ json: JSON, path: [String], chatInput: Bool) throws(HTTPError) -> String {
        guard let name = try string(json, "name", path: path) else {
            throw HTTPError.invalidFormBody(path: path + ["name"], code: "BASE_TYPE_REQUIRED", message: "This field is required")
        }
        let isValid =
            (1...32).contains(name.count)
            && (!chatInput || (name == name.lowercased() && name.unicodeScalars.allSatisfy(isNameScalar)))
        guard isValid else {
            throw HTTPError.invalidFormBody(
                path: path + ["name"], code: "APPLICATION_COMMAND_INVALID_NAME", message: "Command name is invalid")
        }
        return name
    }

    private static func checkDescription(_ description: String, path: [String]) throws(HTTPError) {
        guard (1...100).contains(description.count) else {
            throw HTTPError.invalidFormBody(
                path: path + ["description"],
                code: "BASE_TYPE_BAD_LENGTH",
                message: "Must be between 1 and 100 in length."
            )
        }
    }

    private static func string(_ json: JSON, _ field: String, path: [String]) throws(HTTPError) -> String? {
        switch json[field] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw HTTPError.invalidFormBody(path: path + [field], code: "BASE_TYPE_STRING", message: "Must be a string.")
        }
    }

    /// `-`, `_`, letters, numbers, and Devanagari and Thai (whose vowel signs are marks, not letters).
    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "-" || scalar == "_" { return true }
        if (0x0900...0x097F).contains(scalar.value) || (0x0E00...0x0E7F).contains(scalar.value) { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }
}

/// A registered command.
struct ApplicationCommand: Sendable {
    let id: String
    let applicationID: String
    /// `nil` for a global command.
    let guildID: String?
    /// Changes when an overwrite changes the command.
    let version: String
    let definition: CommandDefinition

    var name: String { definition.name }

    var json: JSON {
        var fields: [(String, JSON)] = [
            ("id", .string(id)),
            ("application_id", .string(applicationID)),
            ("version", .string(version)),
            ("default_member_permissions", definition.defaultMemberPermissions),
            ("type", .int(definition.type)),
            ("name", .string(definition.name)),
            ("name_localizations", .null),
            ("description", .string(definition.description)),
            ("description_localizations", .null),
        ]
        if let guildID { fields.append(("guild_id", .string(guildID))) }
        if !definition.options.isEmpty { fields.append(("options", .array(definition.options))) }
        if guildID == nil { fields.append(("dm_permission", true)) }
        fields += [("contexts", .null), ("integration_types", [0]), ("nsfw", .bool(definition.nsfw))]
        return .object(fields)
    }
}

/// The application's commands: global ones and the sandbox guild's.
struct ApplicationCommandStore: Sendable {
    private(set) var global: [ApplicationCommand] = []
    private(set) var guild: [ApplicationCommand] = []

    /// Replaces the global (`guildID == nil`) or guild commands. A command with the name and type of an
    /// existing one keeps its id, and its version unless its definition changed.
    mutating func overwrite(
        with definitions: [CommandDefinition],
        guildID: String?,
        applicationID: String,
        snowflakes: inout SnowflakeGenerator,
        now: Date
    ) -> [ApplicationCommand] {
        let existing = guildID == nil ? global : guild
        let commands = definitions.map { definition in
            let previous = existing.first { $0.definition.type == definition.type && $0.name == definition.name }
            let id = previous?.id ?? snowflakes.next(now: now)
            let version = previous.flatMap { $0.definition.fingerprint == definition.fingerprint ? $0.version : nil }
            return ApplicationCommand(
                id: id,
                applicationID: applicationID,
                guildID: guildID,
                version: version ?? snowflakes.next(now: now),
                definition: definition
            )
        }
        if guildID == nil { global = commands } else { guild = commands }
        return commands
    }

    /// The CHAT_INPUT command a user would pick by name: in a guild its guild command first, then the global one.
    func chatInputCommand(named name: String, inGuild: Bool) -> ApplicationCommand? {
        let candidates = inGuild ? guild + global : global
        return candidates.first { $0.definition.type == CommandDefinition.chatInput && $0.name == name }
    }
}
