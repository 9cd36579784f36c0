/// How the audit log names what an admin action changed, so that one target reads the same everywhere.
public enum AuditTarget {
    public static func user(_ id: Int) -> String { "user:\(id)" }
    public static func staff(_ id: Int) -> String { "staff:\(id)" }
    public static func job(_ id: Int) -> String { "job:\(id)" }
    public static func schedule(_ name: String) -> String { "schedule:\(name)" }
    public static func group(_ id: Int) -> String { "group:\(id)" }
    /// A chat personality's system prompt.
    public static func personality(_ name: String) -> String { "personality:\(name)" }
    /// A member of the guild, by their Discord id: what verify and nickname runs name too.
    public static func member(_ discordID: String) -> String { discordID }
    /// The Discord client's settings.
    public static let client = "client"
    /// A secret key, by its id (what `rotate-keys` sealed everything under).
    public static func secretKey(_ id: String) -> String { "key:\(id)" }
    /// The staff roster as a whole (a CSV import).
    public static let roster = "staff"
}
