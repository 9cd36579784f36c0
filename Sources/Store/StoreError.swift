/// Errors from the PostgreSQL store, with messages an operator can act on.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    case connectionFailed(String)
    case connectionLost(String)
    /// The process is stopping: the call was abandoned before the server answered.
    case interrupted
    case queryFailed(sqlState: String, message: String)
    case schemaBehind(current: Int, required: Int)
    case unexpectedResult(String)

    public var description: String {
        switch self {
        case .connectionFailed(let reason):
            return "cannot connect to PostgreSQL (check DATABASE_URL): \(reason)"
        case .connectionLost(let reason):
            return "lost the connection to PostgreSQL (the next call reconnects): \(reason)"
        case .interrupted:
            return "abandoned a call to PostgreSQL because the process is stopping"
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
