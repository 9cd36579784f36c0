/// How the audit log names what an admin action changed, so that one target reads the same everywhere.
public enum AuditTarget {
    public static func user(_ id: Int) -> String { "user:\(id)" }
    public static func staff(_ id: Int) -> String { "staff:\(id)" }
    public static func job(_ id: Int) -> String { "job:\(id)" }
    public static func schedule(_ name: String) -> String { "schedule:\(name)" }
    /// The staff roster as a whole (a CSV import).
    public static let roster = "staff"
}
