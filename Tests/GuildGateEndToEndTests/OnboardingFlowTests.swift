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
            let email = uniqueEmail()
            let body = try browser.onboard(email: email)
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
    }
}
