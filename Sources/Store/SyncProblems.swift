import Foundation

/// A problem a run stopped on, and what fixes it.
public struct SyncProblem: Sendable, Equatable {
    public let kind: String
    public let message: String
    public let seenAt: Date?
}

/// The `sync_problems` table: one open problem per kind of run, cleared when a run gets past it.
public struct SyncProblemStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public func report(kind: String, message: String) throws(StoreError) {
        try db.query(
            """
            INSERT INTO sync_problems (kind, message) VALUES ($1, $2)
            ON CONFLICT (kind) DO UPDATE SET message = excluded.message, seen_at = now()
            """, [kind, message])
    }

    public func clear(kind: String) throws(StoreError) {
        try db.query("DELETE FROM sync_problems WHERE kind = $1", [kind])
    }

    public func all() throws(StoreError) -> [SyncProblem] {
        try db.query("SELECT kind, message, seen_at FROM sync_problems ORDER BY kind").rows.map { row throws(StoreError) in
            SyncProblem(kind: try row.string("kind"), message: try row.string("message"), seenAt: row.date("seen_at"))
        }
    }
}
