import Foundation
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// The audit log's page and API: newest first, a page at a time, one target at a time, every bad query a 400.
@Suite struct AdminAudit {
    let app: TestApplication
    let db: PostgresConnection
    let token: String
    let target = "test:\(UUID().uuidString.prefix(8))"

    init() async throws {
        app = try await TestApplication(overrides: TestApplication.unreachableDiscord)
        db = app.database()
        token = try #require(app.config.apiToken)
        let log = AuditLogStore(db)
        for number in 1...3 {
            try log.record(actor: "admin:auditor", action: "test.step", target: target, detail: ["step": .int(number)])
        }
        try log.record(actor: "schedule:groups.verify", action: "role.add", target: target, detail: ["role": "<b>Mod</b>"], result: "50013")
    }

    func get(_ query: String) throws -> Page {
        try app.client().get("/api/admin/audit?" + query, headers: ["Authorization": "Bearer \(token)"])
    }

    @Test func entriesComeNewestFirstAPageAtATimeForOneTarget() throws {
        let first = try #require(try get("target=\(target)&limit=3").json)
        let entries = try #require(first["entries"] as? [[String: Any]])
        #expect(entries.map { $0["action"] as? String } == ["role.add", "test.step", "test.step"])
        #expect(entries.first?["result"] as? String == "50013")
        #expect(entries.first?["actor"] as? String == "schedule:groups.verify")
        #expect((entries.last?["detail"] as? [String: Any])?["step"] as? Int == 2)
        #expect((entries.first?["at"] as? String)?.hasSuffix("Z") == true)
        let next = try #require(first["next_before"] as? Int)
        let second = try #require(try get("target=\(target)&limit=3&before=\(next)").json)
        #expect((second["entries"] as? [[String: Any]])?.map { ($0["detail"] as? [String: Any])?["step"] as? Int } == [1])
        #expect(second["next_before"] is NSNull)
        #expect((try get("target=nobody-\(target)").json?["entries"] as? [Any])?.isEmpty == true)
    }

    @Test func aBadQueryIsRefusedNamingTheParameter() throws {
        for (query, field) in [("before=abc", "before"), ("before=-1", "before"), ("limit=0", "limit"), ("limit=201", "limit")] {
            let refused = try get(query)
            #expect(refused.status == 400, "\(query)")
            #expect((refused.json?["fields"] as? [String: String])?[field] != nil, "\(query): \(refused.body)")
        }
    }

    @Test func thePageEscapesEntriesAndLinksOlderOnes() throws {
        let admin = app.client()
        try admin.signInAsAdmin()
        let page = try admin.get("/admin/audit?limit=2&target=\(target)")
        #expect(page.status == 200)
        #expect(page.body.contains("role: &lt;b&gt;Mod&lt;/b&gt;"))
        #expect(page.body.contains("<span class=\"pill problem\">50013</span>"))
        #expect(page.body.contains("Older entries"))
        #expect(page.body.contains("<a href=\"/admin/audit?target=\(target.replacingOccurrences(of: ":", with: "%3A"))\">"))
        #expect(try admin.get("/admin/audit?before=x").status == 400)
    }
}
