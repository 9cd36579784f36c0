import Foundation
import JSONSupport
import Store
import WireFormats

/// The audit log: `/admin/audit` and `GET /api/admin/audit`, newest first, a page at a time (`before` the
/// oldest id shown), optionally of one target (a Discord id, `group:ID`, `client`).
enum AuditRoutes {
    static let defaultLimit = 50
    static let maxLimit = 200

    static func register(on router: inout Router) {
        router.get("/admin/audit", .admin, page)
        router.get("/api/admin/audit", .admin, json)
    }

    /// The query: `before` (an entry id), `target`, `limit` (1…200); 400 naming each bad one.
    private struct Query {
        let before: Int?
        let target: String?
        let limit: Int

        init(_ request: Request) throws(HTTPError) {
            var errors: [FieldError] = []
            func positive(_ name: String, max: Int = Int.max) -> Int? {
                guard let text = request.query[name], !text.isEmpty else { return nil }
                guard let number = Int(text), number > 0, number <= max else {
                    errors.append(
                        FieldError(name, max == Int.max ? "must be a positive whole number" : "must be a whole number from 1 to \(max)"))
                    return nil
                }
                return number
            }
            before = positive("before")
            limit = positive("limit", max: AuditRoutes.maxLimit) ?? AuditRoutes.defaultLimit
            let target = request.query["target"]?.trimmingCharacters(in: .whitespaces) ?? ""
            if target.count > 200 || target.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                errors.append(FieldError("target", "must be at most 200 characters, without control characters"))
            }
            self.target = target.isEmpty ? nil : target
            if !errors.isEmpty { throw .validation(errors) }
        }

        /// The entries, and the `before` of the next (older) page when there may be one.
        func entries(_ db: PostgresConnection) throws -> (entries: [AuditEntry], next: Int?) {
            let entries = try AuditLogStore(db).recent(limit: limit, beforeID: before, target: target)
            return (entries, entries.count == limit ? entries.last?.id : nil)
        }
    }

    private static func json(_ request: Request, _ context: RequestContext) throws -> Response {
        let (entries, next) = try Query(request).entries(context.db)
        return .json([
            "entries": .array(
                entries.map { entry in
                    [
                        "id": .int(entry.id), "at": entry.at.map(ISO8601Timestamp.format).json, "actor": .string(entry.actor),
                        "action": .string(entry.action), "target": entry.target.json, "detail": entry.detail,
                        "result": .string(entry.result),
                    ]
                }),
            "next_before": next.map(JSON.int) ?? .null,
        ])
    }

    private static func page(_ request: Request, _ context: RequestContext) throws -> Response {
        let query = try Query(request)
        let (entries, next) = try query.entries(context.db)
        let olderQuery = FormEncoding.encode([("before", String(next ?? 0))] + (query.target.map { [("target", $0)] } ?? []))
        var values: [String: Any] = [
            "entries": entries.map { entry -> [String: Any] in
                var values: [String: Any] = [
                    "id": entry.id, "at": entry.at.map(ISO8601Timestamp.format) ?? "",
                    "ago": entry.at.map { RelativeTime.ago($0, now: context.now) } ?? "", "actor": entry.actor,
                    "action": entry.action, "entry_target": entry.target ?? "", "detail": detailText(entry.detail),
                    "result": entry.result, "failed": entry.result != "ok",
                ]
                values["target_href"] = entry.target.map { "/admin/audit?" + FormEncoding.encode([("target", $0)]) }
                return values
            },
            "target": query.target ?? "", "empty": entries.isEmpty,
        ]
        // Absent, not empty: Mustache renders a section for any string, "" included.
        values["older"] = next.map { _ in "/admin/audit?" + olderQuery }
        return try context.renderAdmin("admin-audit", .audit, values)
    }

    /// `key: value` pairs of an entry's detail, for the page.
    static func detailText(_ detail: JSON) -> String {
        guard case .object(let members) = detail else { return detail.serialized(escapingHTML: false) }
        return members.map { key, value in
            let text =
                switch value {
                case .string(let string): string
                case .array(let items): items.map { $0.string ?? $0.serialized(escapingHTML: false) }.joined(separator: ", ")
                default: value.serialized(escapingHTML: false)
                }
            return "\(key): \(text)"
        }.joined(separator: "; ")
    }
}
