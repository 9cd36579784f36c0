/// Guild members (docs: resources/guild.md, "Get Guild Member"; reference §2.x table "Get member").
enum GuildRoutes {
    static var routes: [Route] {
        [.discord(.GET, "/guilds/{guild.id}/members/{user.id}", handler: member)]
    }

    /// The guild member object; 404 with 10004 Unknown Guild for another guild, 10007 Unknown Member for a
    /// user who is not in it (what GuildGate's sign-in checks for).
    @Sendable
    static func member(_ context: RequestContext) async throws -> SandboxResponse {
        try context.requireBotToken()
        guard context.parameters["guild.id"] == context.configuration.guildID else { throw HTTPError.unknownGuild }
        let userID = context.parameters["user.id"] ?? ""
        guard Snowflake.value(userID) != nil else {
            throw HTTPError.invalidFormBody(field: "user_id", code: "NUMBER_TYPE_COERCE", message: "Value \"\(userID)\" is not snowflake.")
        }
        guard let member = context.state.withLock({ $0.gateway.guild.member(id: userID) }) else {
            throw HTTPError.unknownGuildMember
        }
        return .json(member.json)
    }
}
