import DiscordKit

/// Who may use the website: with `DISCORD_GUILD_ID` set, members of that guild only (asked of Discord with
/// the bot token at each sign-in), unless `GUILDGATE_ALLOW_NON_MEMBERS` opens it.
enum GuildMembership {
    static func allowsWebsite(discordID: String, context: RequestContext) throws -> Bool {
        let config = context.config
        guard let guildID = config.discordGuildID, !config.allowNonMembers else { return true }
        guard discordID.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
        do {
            return try context.services.discord(logger: context.logger).isGuildMember(guildID: guildID, userID: discordID)
        } catch {
            context.logger.error("guild membership check failed", metadata: ["guild_id": "\(guildID)", "error": "\(error)"])
            throw CallbackFailure.serverError
        }
    }
}
