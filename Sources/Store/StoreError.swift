/// Errors from the PostgreSQL store, with messages an operator can act on.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case connectionFailed(String)
    case queryFailed(sqlState: String, message: String)
    case schemaBehind(current: Int, required: Int)
    case unexpectedResult(String)

    public var description: String {
        switch self {
        case .connectionFailed(let reason):
            return "cannot connect to PostgreSQL (check DATABASE_URL): \(reason)"
        case .queryFailed(let sqlState, let message):
            return "database error \(sqlState): \(message)"
        case .schemaBehind(let current, let required):
            return "the database schema is at version \(current) but this build needs \(required): run `guildgate-web migrate`"
        case .unexpectedResult(let what):
            return "unexpected database result: \(what)"
        }
    }

    /// SQLSTATE 23505: a unique constraint refused the row.
    public var isUniqueViolation: Bool {
        if case .queryFailed(let state, _) = self { return state == "23505" }
        return false
    }
}
