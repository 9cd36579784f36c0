import Foundation
import JSONSupport

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable {
    public let id: Int
    public let at: Date?
    /// `admin:<username>`, `api`, `schedule:<name>`, `discord` (a change made on Discord).
    public let actor: String
    /// `role.add`, `role.remove`, `nick.set`, `group.join`, `client.save`, …
    public let action: String
    public let target: String?
    public let detail: JSON
    /// `ok`, or what went wrong.
    public let result: String

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        at = row.date("at")
        actor = try row.string("actor")
        action = try row.string("action")
        target = row["target"]
        detail = JSON.parse(Array(try row.string("detail").utf8)) ?? [:]
        result = try row.string("result")
    }
}

/// The `audit_log` table: append-only.
public struct AuditLogStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public func record(actor: String, action: String, target: String?, detail: JSON = [:], result: String = "ok") throws(StoreError) {
        try db.query(
            "INSERT INTO audit_log (actor, action, target, detail, result) VALUES ($1, $2, $3, $4::jsonb, $5)",
            [actor, action, target, detail.serialized, result])
    }

    /// The newest entries first, older than `beforeID` when paging; `target` narrows to one member or user.
    public func recent(limit: Int, beforeID: Int? = nil, target: String? = nil) throws(StoreError) -> [AuditEntry] {
        try db.query(
            """
            SELECT id, at, actor, action, target, detail::text AS detail, result FROM audit_log
            WHERE ($2::bigint IS NULL OR id < $2) AND ($3::text IS NULL OR target = $3)
            ORDER BY id DESC LIMIT $1
            """, [limit, beforeID, target]
        ).rows.map(AuditEntry.init)
    }
}
