import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The application's commands, global and for the sandbox guild (docs: `interactions/application-commands`). The application id is the
/// client id; another application's commands, or another guild's, are refused with 50001 Missing Access.
enum ApplicationCommandRoutes {
    /// Discord's cap on commands per scope: 100 CHAT_INPUT plus 15 USER and 15 MESSAGE.
    static let maxCommands = 130

    static var routes: [Route] {
        [
            .discord(.GET, "/applications/{application.id}/commands") { context in
                try context.requireCommandScope(guild: false)
                return .json(.array(context.state.withLock { $0.commands.global.map(\.json) }))
            },
            .discord(.PUT, "/applications/{application.id}/commands") { context in
                try overwrite(context, guildID: nil)
            },
            .discord(.GET, "/applications/{application.id}/guilds/{guild.id}/commands") { context in
                try context.requireCommandScope(guild: true)
                return .json(.array(context.state.withLock { $0.commands.guild.map(\.json) }))
            },
            .discord(.PUT, "/applications/{application.id}/guilds/{guild.id}/commands") { context in
                try overwrite(context, guildID: context.configuration.guildID)
            },
        ]
    }

    /// Bulk overwrite: the body is the complete list; commands not in it are deleted.
    private static func overwrite(_ context: RequestContext, guildID: String?) throws(HTTPError) -> SandboxResponse {
        try context.requireCommandScope(guild: guildID != nil)
        guard case .array(let elements) = try JSON(discordBody: context.request.body) else {
            throw HTTPError.invalidFormBody(path: [], code: "LIST_TYPE_CONVERT", message: "Only iterables may be used in a ListType")
        }
        guard elements.count <= maxCommands else {
            throw HTTPError.invalidFormBody(path: [], code: "BASE_TYPE_MAX_LENGTH", message: "Must be \(maxCommands) or fewer in length.")
        }
        var definitions: [CommandDefinition] = []
        for (index, element) in elements.enumerated() {
            definitions.append(try CommandDefinition(element, index: index))
        }
        var seen: Set<String> = []
        for definition in definitions where !seen.insert("\(definition.type) \(definition.name)").inserted {
            throw HTTPError.invalidFormBody(
                path: [],
                code: "APPLICATION_COMMANDS_DUPLICATE_NAME",
                message: "Application command names must be unique"
            )
        }
        let applicationID = context.configuration.clientID
        let commands = context.state.withLock { parts in
            parts.commands.overwrite(
                with: definitions,
                guildID: guildID,
                applicationID: applicationID,
                snowflakes: &parts.snowflakes,
                now: Date()
            )
        }
        context.logger.info(
            "application commands overwritten",
            metadata: ["scope": "\(guildID ?? "global")", "names": "\(commands.map(\.name).joined(separator: ","))"]
        )
        return .json(.array(commands.map(\.json)))
    }
}

extension RequestContext {
    /// The bot token, and the path naming this application (and with `guild`, the sandbox guild).
    func requireCommandScope(guild: Bool) throws(HTTPError) {
        try requireBotToken()
        guard parameters["application.id"] == configuration.clientID,
            !guild || parameters["guild.id"] == configuration.guildID
        else { throw HTTPError.missingAccess }
    }
}
