import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    @Suite struct OnboardingFlow {
        @Test func apiOnboardingThenVerificationLinksTheDiscordAccount() throws {
            let (stack, sandbox) = try EndToEnd.stack()
            try sandbox.setUser(id: "710000000000000001", username: "linked_user")
            let browser = Browser(baseURL: stack.webURL)
            let email = EndToEnd.uniqueEmail()
            let body = try EndToEnd.onboard(browser, email: email)
            #expect(body["success"] as? Bool == true)
            let userID = try #require(body["user_id"] as? Int)
            let token = try #require(body["verification_token"] as? String)
            let url = try #require(body["verification_url"] as? String)
            #expect(url == stack.webURL + "/discord/verify?token=" + token)
            #expect((body["instructions"] as? String)?.isEmpty == false)

            let callback = try EndToEnd.authorize(browser, url: url)
            #expect(callback.status == 302)
            #expect(callback.location == stack.webURL + "/discord/success?username=linked_user")

            let row = try #require(
                try EndToEnd.database(stack).query(
                    "SELECT verified, email, discord_id, discord_username FROM users WHERE id = $1", [userID]
                ).first)
            #expect(row.bool("verified"))
            #expect(row["email"] == email)
            #expect(row["discord_id"] == "710000000000000001")
            #expect(row["discord_username"] == "linked_user")
            #expect(try EndToEnd.database(stack).query("SELECT 1 FROM pending_verifications WHERE user_id = $1", [userID]).rows.isEmpty)

            let success = try browser.get(try #require(callback.location))
            #expect(success.status == 200)
            #expect(success.body.contains("linked_user"))
        }

        @Test func theHTMLFormShowsBothNextStepsAndEscapesTheName() throws {
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            let form = try browser.get("/onboarding")
            #expect(form.status == 200)
            let csrf = try #require(Browser.csrfToken(in: form))
            let next = try browser.post(
                "/onboarding",
                form: [
                    "csrf_token": csrf, "name": "<script>alert(1)</script>", "email": EndToEnd.uniqueEmail(),
                    "selectedPersonality": "playful", "communicationChannel": "discord",
                ])
            #expect(next.status == 200)
            #expect(next.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!next.body.contains("<script>alert(1)"))
            #expect(next.body.contains("Add the bot to your server"))
            #expect(next.body.contains("Verify with Discord"))
            #expect(next.body.contains(stack.webURL + "/discord/verify?token="))
        }

        @Test func theFormRefusesAMissingCSRFToken() throws {
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            _ = try browser.get("/onboarding")
            let refused = try browser.post(
                "/onboarding",
                form: [
                    "name": "A", "email": EndToEnd.uniqueEmail(), "selectedPersonality": "playful", "communicationChannel": "discord",
                ])
            #expect(refused.status == 403)
        }

        @Test func theFormShowsFieldErrorsAndKeepsTheInput() throws {
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            let csrf = try #require(Browser.csrfToken(in: try browser.get("/onboarding")))
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
            let (stack, _) = try EndToEnd.stack()
            let browser = Browser(baseURL: stack.webURL)
            let page = try browser.post("/api/user/onboarding", json: #"{"name":"","email":"x","selectedPersonality":"grumpy"}"#)
            #expect(page.status == 400)
            let fields = try #require(page.json?["fields"] as? [String: String])
            #expect(Set(fields.keys) == ["name", "email", "selectedPersonality", "communicationChannel"])
        }

        @Test func inviteCarriesExactlyTheNeededPermissions() throws {
            let (stack, _) = try EndToEnd.stack()
            let page = try Browser(baseURL: stack.webURL).get("/api/discord/invite")
            #expect(page.status == 200)
            let url = try #require(page.json?["invite_url"] as? String)
            #expect(url.hasPrefix(stack.sandboxURL + "/oauth2/authorize?"))
            #expect(url.contains("client_id=100000000000000001"))
            #expect(url.contains("permissions=101376"))
            #expect(url.contains("scope=bot%20applications.commands"))
        }

        @Test func theSuccessPageEscapesTheUsername() throws {
            let (stack, _) = try EndToEnd.stack()
            let page = try Browser(baseURL: stack.webURL).get("/discord/success?username=%3Cscript%3Ex%3C%2Fscript%3E")
            #expect(page.status == 200)
            #expect(page.body.contains("&lt;script&gt;x&lt;/script&gt;"))
            #expect(!page.body.contains("<script>x"))
        }
    }
}
