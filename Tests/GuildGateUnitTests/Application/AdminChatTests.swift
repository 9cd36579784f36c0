import Foundation
import GuildGateTesting
import Store
import Testing

/// `/admin/chat` and `/api/admin/chat/personalities`: the four personalities' system prompts, edited by
/// form and API, validated and audited. One at a time: they change the shared personality rows (and put
/// them back).
@Suite(.serialized) struct AdminChat {
    let app: TestApplication
    let db: PostgresConnection

    init() async throws {
        app = try await TestApplication()
        db = app.database()
    }

    /// Runs `body`, then puts the prompt back as it was.
    private func restoring(_ name: String, _ body: () throws -> Void) throws {
        let saved = try #require(try ChatPersonalityStore(db).personality(name: name))
        defer { _ = try? db.query("UPDATE chat_personalities SET prompt = $2 WHERE name = $1", [name, saved.prompt]) }
        try body()
    }

    @Test func theFourPersonalitiesAreListedWithTheirPrompts() throws {
        let list = try #require(
            try AdminClient.apiToken(app).get("/api/admin/chat/personalities").json?["personalities"] as? [[String: Any]])
        #expect(Set(list.compactMap { $0["name"] as? String }) == ["friendly", "loving", "professional", "playful"])
        #expect(list.allSatisfy { ($0["prompt"] as? String)?.isEmpty == false && $0.keys.contains("updated_by") })
        let page = try AdminClient.signedIn(app).get("/admin/chat")
        #expect(page.status == 200)
        #expect(page.body.contains("action=\"/admin/chat/playful\"") && page.body.contains("name=\"csrf_token\""))
        #expect(page.body.contains("<a href=\"/admin/chat\" aria-current=\"page\">Chat</a>"))
    }

    @Test func theAPISavesAPromptAndAuditsIt() throws {
        try restoring("professional") {
            let admin = try AdminClient.signedIn(app)
            let saved = try admin.send(
                "PUT", "/api/admin/chat/personalities/professional", json: #"{"prompt":"  Be exact.\r\nNo small talk.  "}"#)
            #expect(saved.status == 200)
            #expect(saved.json?["prompt"] as? String == "Be exact.\nNo small talk.")
            #expect(saved.json?["updated_by"] as? String == admin.actor)
            let entry = try #require(try auditRows(db, target: "personality:professional").first)
            #expect(entry.action == "chat.personality.update" && entry.actor == admin.actor)
            #expect(entry.detail["prompt"] == "Be exact.\nNo small talk.")
        }
    }

    @Test func aBadPromptOrAnUnknownNameChangesNothing() throws {
        let admin = try AdminClient.apiToken(app)
        let before = try ChatPersonalityStore(db).all()
        for body in [
            #"{"prompt":""}"#, #"{"prompt":"   "}"#, #"{}"#, #"{"prompt":7}"#, #"{"prompt":"\#(String(repeating: "p", count: 4001))"}"#,
        ] {
            let page = try admin.send("PUT", "/api/admin/chat/personalities/friendly", json: body)
            #expect(page.status == 400 && (page.json?["fields"] as? [String: Any])?["prompt"] != nil, "\(body.prefix(40))")
        }
        #expect(try admin.send("PUT", "/api/admin/chat/personalities/grumpy", json: #"{"prompt":"x"}"#).status == 404)
        #expect(try ChatPersonalityStore(db).all() == before)
    }

    @Test func theFormSavesAndShowsARefusalOnThePage() throws {
        try restoring("playful") {
            let admin = try AdminClient.signedIn(app)
            let saved = try admin.submit("/admin/chat/playful", ["prompt": "Joke a little."])
            #expect(saved.status == 303 && saved.location == "/admin/chat?notice=saved")
            let page = try admin.get("/admin/chat?notice=saved")
            #expect(page.body.contains("Prompt saved") && page.body.contains("Joke a little."))
            let refused = try admin.submit("/admin/chat/playful", ["prompt": ""])
            #expect(refused.status == 400 && refused.body.contains("<strong>prompt</strong> is required"))
            #expect(try ChatPersonalityStore(db).personality(name: "playful")?.prompt == "Joke a little.")
        }
    }
}
