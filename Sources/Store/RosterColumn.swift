/// Column positions in the rows of `StaffStore.withRosterRows`.
public enum RosterColumn {
    public static let id = 0
    public static let name = 1
    public static let rank = 2
    public static let discordID = 3
    /// Never null: `offline` when the bot saw no presence.
    public static let status = 4
    public static let customStatus = 5
    public static let activity = 6
    /// When the presence last changed, as the API writes it, or null.
    public static let statusUpdated = 7
    /// When the member was last seen not offline, as the API writes it, or null.
    public static let lastSeen = 8
    /// `StaffStore.rosterVersion` as of these rows (the same in every row).
    public static let version = 9
}
