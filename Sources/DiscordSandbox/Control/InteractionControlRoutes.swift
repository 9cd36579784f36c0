import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The control API of interactions, under `/_sandbox`: a user runs a slash command, and what the bot answered.
enum InteractionControlRoutes {
    /// `app_permissions` and the member's `permissions`: every permission bit.
    static let allPermissions = "2251799813685247"

    static var routes: [Route] {
        [
            .control(.POST, "/interactions", handler: create),
            .control(.GET, "/interactions/{interaction.id}") { context in
                let id = context.parameters["interaction.id"] ?? ""
                let bot = context.configuration.botUser
                guard let interaction = context.state.withLock({ $0.interactions.interaction(id: id) }) else {
                    return .json(["error": "no such interaction"], status: .notFound)
                }
                return .json([
                    "id": .string(interaction.id),
                    "token": .string(interaction.token),
                    "command": .string(interaction.commandName),
                    "interaction": interaction.json,
                    "acknowledged": .bool(interaction.callbackType != nil),
                    "callback_type": interaction.callbackType.map(JSON.int) ?? .null,
                    "original": interaction.original?.json(of: interaction, bot: bot) ?? .null,
                    "followups": .array(interaction.followups.map { $0.json(of: interaction, bot: bot) }),
                    "responses": .array(interaction.log),
                ])
            },
        ]
    }

    /// `{"user_id", "command", "options"?: {"name": value, "subcommand": {...}}, "channel_id"?, "guild"?: true}`:
    /// the user runs a registered CHAT_INPUT command in a guild text channel (the first one unless
    /// `channel_id` says) or, with `"guild": false`, in their DM with the bot. INTERACTION_CREATE goes to
    /// every session (no intent needed) → `{"id", "token", "dispatched"}`.
    @Sendable
    static func create(_ context: RequestContext) async throws -> SandboxResponse {
        let request = try context.decodeBody(InteractionRequest.self)
        let configuration = context.configuration
        let date = Date()
        let (interaction, deliveries) = try context.state.withLock { parts throws(HTTPError) in
            guard let user = parts.user(id: request.userID) else {
                throw HTTPError.control("unknown user \(request.userID): add them with POST /_sandbox/guild/members")
            }
            let member = parts.gateway.guild.member(id: request.userID)
            if request.inGuild, member == nil { throw HTTPError.control("user \(request.userID) is not a guild member") }
            guard let command = parts.commands.chatInputCommand(named: request.command, inGuild: request.inGuild) else {
                throw HTTPError.control(
                    "no CHAT_INPUT command \"\(request.command)\" is registered \(request.inGuild ? "globally or for the guild" : "globally")"
                )
            }
            let options = try commandOptions(request.options, definitions: command.definition.options, path: "")

            let channel: SandboxChannel
            if request.inGuild {
                let channelID = request.channelID ?? configuration.textChannelIDs[0]
                guard let found = parts.channels.channel(id: channelID), !found.isDirect else {
                    throw HTTPError.control("\(channelID) is not one of the guild's text channels")
                }
                channel = found
            } else {
                channel =
                    parts.channels.directChannel(with: user.id)
                    ?? parts.channels.openDirectChannel(id: parts.snowflakes.next(now: date), with: user)
            }

            let id = parts.snowflakes.next(now: date)
            let token = "interaction-" + RandomToken.make(length: 64)
            var data: [(String, JSON)] = [
                ("id", .string(command.id)), ("name", .string(command.name)), ("type", 1),
            ]
            if !options.isEmpty { data.append(("options", .array(options))) }
            if let guildID = command.guildID { data.append(("guild_id", .string(guildID))) }
            var fields: [(String, JSON)] = [
                ("app_permissions", .string(allPermissions)),
                ("application_id", .string(configuration.clientID)),
                ("attachment_size_limit", .int(parts.channels.attachmentSizeLimit)),
                ("channel", channel.json(guildID: request.inGuild ? configuration.guildID : nil, lastMessageID: nil)),
                ("channel_id", .string(channel.id)),
                ("context", request.inGuild ? 0 : 1),
                ("data", .object(data)),
                ("entitlements", []),
            ]
            if request.inGuild, let member {
                fields += [
                    ("guild", ["id": .string(configuration.guildID), "locale": "en-US", "features": []]),
                    ("guild_id", .string(configuration.guildID)),
                    ("guild_locale", "en-US"),
                    ("member", member.json(appending: [("permissions", .string(allPermissions))])),
                ]
            } else {
                fields.append(("user", user.publicJSON))
            }
            fields += [
                ("id", .string(id)), ("locale", .string(user.locale)), ("token", .string(token)), ("type", 2), ("version", 1),
            ]
            let interaction = SandboxInteraction(
                id: id,
                token: token,
                applicationID: configuration.clientID,
                commandName: command.name,
                channelID: channel.id,
                user: user,
                createdAt: .now,
                json: .object(fields)
            )
            parts.interactions.add(interaction)
            let event = GatewayEvent("INTERACTION_CREATE", .object(fields), isAboutGuild: request.inGuild, isDirect: !request.inGuild)
            return (interaction, parts.gateway.dispatch([event], now: .now))
        }
        context.logger.info(
            "interaction created",
            metadata: [
                "interaction_id": "\(interaction.id)",
                "command": "\(interaction.commandName)",
                "user_id": "\(interaction.user.id)",
                "sessions": "\(deliveries.count)",
            ]
        )
        return .json([
            "id": .string(interaction.id),
            "token": .string(interaction.token),
            "dispatched": .array(deliveries.map(\.json)),
        ])
    }

    /// `{"name": value}` → `[{"name", "type", "value"}]`, typed by the command's option definitions;
    /// a sub-command (group) takes an object of its own options.
    private static func commandOptions(
        _ given: JSON?,
        definitions: [JSON],
        path: String
    ) throws(HTTPError) -> [JSON] {
        var members: [(String, JSON)] = []
        switch given {
        case nil, .null?: break
        case .object(let object)?: members = object
        default: throw HTTPError.control("options\(path): must be an object of option values")
        }
        var options: [JSON] = []
        for (name, value) in members {
            guard let definition = definitions.first(where: { if case .string(name)? = $0["name"] { true } else { false } }),
                let type = definition["type"]?.wholeNumber
            else { throw HTTPError.control("the command has no option \(path)\(name)") }
            if type <= 2 {
                let nestedDefinitions = if case .array(let nested)? = definition["options"] { nested } else { [JSON]() }
                let nested = try commandOptions(value, definitions: nestedDefinitions, path: "\(path)\(name).")
                options.append(["name": .string(name), "type": .int(type), "options": .array(nested)])
            } else {
                options.append(["name": .string(name), "type": .int(type), "value": value])
            }
        }
        for definition in definitions {
            guard case .bool(true)? = definition["required"], case .string(let name)? = definition["name"] else { continue }
            guard members.contains(where: { $0.0 == name }) else {
                throw HTTPError.control("required option \(path)\(name) is missing")
            }
        }
        return options
    }
}

/// The body of `POST /_sandbox/interactions`.
private struct InteractionRequest: Decodable {
    let userID: String
    let command: String
    let options: JSON?
    let channelID: String?
    let inGuild: Bool

    private enum CodingKeys: String, CodingKey {
        case command, options, guild
        case userID = "user_id"
        case channelID = "channel_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        userID = try container.decode(String.self, forKey: .userID)
        command = try container.decode(String.self, forKey: .command)
        options = try container.decodeIfPresent(JSON.self, forKey: .options)
        channelID = try container.decodeIfPresent(String.self, forKey: .channelID)
        inGuild = try container.decodeIfPresent(Bool.self, forKey: .guild) ?? true
    }
}
