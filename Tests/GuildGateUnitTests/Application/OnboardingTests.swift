import GuildGateTesting
import Testing

/// The onboarding form and API: validation, CSRF and escaping.
@Suite struct Onboarding {
    let app: TestApplication

    init() async throws {
        app = try await TestApplication()
    }

    @Test func theHTMLFormShowsBothNextStepsAndEscapesTheName() throws {
        let browser = app.client()
        let form = try browser.get("/onboarding")
        #expect(form.status == 200)
        let csrf = try #require(TestClient.csrfToken(in: form))
        let next = try browser.post(
            "/onboarding",
            form: [
                "csrf_token": csrf, "name": "<script>alert(1)</script>", "email": uniqueEmail(),
                "selectedPersonality": "playful", "communicationChannel": "discord",
            ])
        #expect(next.status == 200)
        #expect(next.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!next.body.contains("<script>alert(1)"))
        #expect(next.body.contains("Add the bot to your server"))
        #expect(next.body.contains("Verify with Discord"))
        #expect(next.body.contains(app.config.webAppBaseURL + "/discord/verify?token="))
    }

    @Test func theFormRefusesAMissingCSRFToken() throws {
        let browser = app.client()
        _ = try browser.get("/onboarding")
        let refused = try browser.post(
            "/onboarding",
            form: [
                "name": "A", "email": uniqueEmail(), "selectedPersonality": "playful", "communicationChannel": "discord",
            ])
        #expect(refused.status == 403)
    }

    @Test func theFormShowsFieldErrorsAndKeepsTheInput() throws {
        let browser = app.client()
        let csrf = try #require(TestClient.csrfToken(in: try browser.get("/onboarding")))
        let page = try browser.post(
            "/onboarding",
            form: [
                "csrf_token": csrf, "name": "Kept Name", "email": "not-an-email",
                "selectedPersonality": "friendly", "communicationChannel": "discord",
            ])
        #expect(page.status == 400)
        #expect(page.body.contains("must be an email address"))
        #expect(page.body.contains("value=\"Kept Name\""))
    }

    @Test func invalidAPIInputGetsFieldErrors() throws {
        let page = try app.client().post("/api/user/onboarding", json: #"{"name":"","email":"x","selectedPersonality":"grumpy"}"#)
        #expect(page.status == 400)
        let fields = try #require(page.json?["fields"] as? [String: String])
        #expect(Set(fields.keys) == ["name", "email", "selectedPersonality", "communicationChannel"])
    }
}
