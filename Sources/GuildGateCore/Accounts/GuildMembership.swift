import DiscordKit
import Logging

/// Who may use the website: with `DISCORD_GUILD_ID` set, members of that guild only (asked of Discord with
/// the bot token at each sign-in), unless `GUILDGATE_ALLOW_NON_MEMBERS` opens it.
public enum GuildMembership {
    public static func allowsWebsite(
        discordID: String, config: AppConfig, discord: DiscordClient, logger: Logger
    ) throws(CallbackFailure) -> Bool {
        guard let guildID = config.discordGuildID, !config.allowNonMembers else { return true }
        guard discordID.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return false }
        do {
            return try discord.isGuildMember(guildID: guildID, userID: discordID)
        } catch {
            logger.error("guild membership check failed", metadata: ["guild_id": "\(guildID)", "error": "\(error)"])
            throw .serverError
        }
    }
}
