import JSONSupport

/// An application command invoked by a user, from INTERACTION_CREATE (discord-api-docs
/// `developers/interactions/receiving-and-responding`, "Interaction Object"): `member.user` when invoked in a
/// guild, `user` in a DM.
struct SlashCommand: Equatable {
    let id: String
    /// The continuation token the callback is posted with.
    let token: String
    let command: BotCommand
    /// The command's option (`file`, `code`, `prompt`); empty when there is none.
    let argument: String
    let userID: String
    let username: String
    let channelID: String?
    /// nil in a DM.
    let guildID: String?

    /// nil for other interaction types (pings, components) and commands the bot does not have.
    init?(_ data: JSON) {
        guard data["type"]?.integer == 2, let id = data["id"]?.string, let token = data["token"]?.string,
            let name = data["data"]?["name"]?.string, let command = BotCommand(rawValue: name),
            let userID = data["member"]?["user"]?["id"]?.string ?? data["user"]?["id"]?.string
        else { return nil }
        self.id = id
        self.token = token
        self.command = command
        self.userID = userID
        username = data["member"]?["user"]?["username"]?.string ?? data["user"]?["username"]?.string ?? userID
        channelID = data["channel_id"]?.string ?? data["channel"]?["id"]?.string
        guildID = data["guild_id"]?.string
        argument =
            command.option.flatMap { option in
                data["data"]?["options"]?.array?.first { $0["name"]?.string == option.name }?["value"]?.string
            } ?? ""
    }
}
