import GuildGateTesting
import Testing

/// Bad input of every kind: a clear 4xx, as JSON under `/api` and as a page elsewhere, nothing changed,
/// nothing crashed.
@Suite struct BadInput {
    let app: TestApplication

    init() async throws {
        app = try await TestApplication()
    }

    @Test(arguments: [
        ("/api/discord/callback?code=%zz&state=1", 400),
        ("/onboarding?x=%FF", 400),
        ("/%C3%28", 400),
        ("/nowhere", 404),
        ("/api/nowhere", 404),
    ])
    func malformedURLs(_ path: String, _ status: Int) throws {
        let page = try app.client().get(path)
        #expect(page.status == status)
        if path.hasPrefix("/api") {
            #expect(page.headers["content-type"]?.hasPrefix("application/json") == true)
        } else {
            #expect(page.headers["content-type"]?.hasPrefix("application/json") == false)
        }
    }

    @Test func brokenJSONWrongTypesAndMediaTypes() throws {
        let browser = app.client()
        #expect(try browser.post("/api/user/onboarding", json: #"{"name": "#).status == 400)
        #expect(try browser.post("/api/user/onboarding", json: #"[1,2]"#).status == 400)
        #expect(try browser.post("/api/user/onboarding", json: "\u{FF}").status == 400)
        #expect(try browser.post("/api/user/onboarding", json: #"{"name":1}"#, contentType: "text/plain").status == 415)
        #expect(try browser.send("PUT", "/api/user/onboarding", body: []).status == 405)
    }

    @Test func aWrongMethodIsAnsweredWithTheAllowedOnes() throws {
        let api = try app.client().send("PUT", "/api/user/onboarding", body: [])
        #expect(api.status == 405)
        #expect(api.headers["allow"] == "POST")
        #expect(api.json?["code"] as? String == "method_not_allowed")
        let page = try app.client().send("DELETE", "/onboarding", body: [])
        #expect(page.status == 405)
        #expect(page.headers["allow"]?.contains("GET") == true)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
    }

    @Test func oversizedBodiesAre413() throws {
        let padding = String(repeating: "a", count: 200 * 1024)
        let appLimit = try app.client().post("/api/user/onboarding", json: #"{"name":"\#(padding)"}"#)
        #expect(appLimit.status == 413)
        #expect(appLimit.json?["code"] as? String == "payload_too_large")
    }

    /// What went wrong inside is for the log: the caller learns what to do, never how the server failed.
    @Test func aDatabaseFailureIsAnsweredWithoutItsDetails() async throws {
        let app = try await TestApplication(overrides: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/hidden_db?connect_timeout=2"])
        let api = try app.client().post(
            "/api/user/onboarding",
            json: #"{"name":"A","email":"\#(uniqueEmail())","selectedPersonality":"friendly","communicationChannel":"discord"}"#)
        #expect(api.status == 503)
        #expect(api.json?["code"] as? String == "service_unavailable")
        #expect(api.json?["error"] as? String == "The database is unavailable right now. Please try again shortly.")
        let page = try app.client().get("/onboarding")
        #expect(page.status == 503)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.body.contains("The database is unavailable right now"))
        for body in [api.body, page.body] {
            #expect(!body.contains("hidden_db") && !body.contains("127.0.0.1:1") && !body.contains("nobody"), "\(body)")
        }
        #expect(app.log.text.contains("cannot connect to PostgreSQL"), "the log names the cause: \(app.log.text)")
        #expect(app.log.text.contains("127.0.0.1"), "and where: \(app.log.text)")
    }
}
