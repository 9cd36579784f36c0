/// The Discord user a verified access token speaks for: whose conversations the sync API shows.
public struct TokenOwner: Sendable, Equatable {
    public let discordID: String
    public let username: String

    public init(discordID: String, username: String) {
        self.discordID = discordID
        self.username = username
    }
}
