import JSONSupport
/// The bot's own application. Its `flags` say which privileged intents are enabled, which is how a bot
/// refused with 4014 can tell which intent to switch on.
enum ApplicationRoutes {
    static var routes: [Route] {
        [
            .discord(.GET, "/applications/@me") { context in
                try context.requireBotToken()
                let flags = context.state.withLock { $0.gateway.settings.enabledPrivilegedIntents.applicationFlags }
                return .json([
                    "id": .string(context.configuration.clientID),
                    "name": "Sandbox Application",
                    "icon": .null,
                    "description": "",
                    "bot_public": true,
                    "bot_require_code_grant": false,
                    "bot": context.configuration.botUser.publicJSON,
                    "flags": .int(flags),
                    "approximate_guild_count": 1,
                ])
            }
        ]
    }
}
