extension DiscordClient {
    /// Whether `userID` is a member of `guildID` (`GET /guilds/{guild.id}/members/{user.id}` with the bot
    /// token): false when Discord answers 10007 Unknown Member.
    public func isGuildMember(guildID: String, userID: String) throws(DiscordError) -> Bool {
        do {
            try send(Route(.get, "/guilds/\(guildID)/members/\(userID)"))
            return true
        } catch {
            if case .api(_, 10007, _) = error { return false }
            throw error
        }
    }
}
