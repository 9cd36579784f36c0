import DiscordKit
import Foundation
import GuildGateTesting
import Store
import Testing
import WireFormats

extension EndToEnd {
    /// Issue 8's attacks, each tried through nginx as a stranger with a Discord account and a script would.
    @Suite struct Trust {
        let stack: TestStack
        let sandbox: SandboxControl

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
        }

        static func freshDiscordID() -> String {
            String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
        }

        func user(discordID: String) throws -> Row? {
            try EndToEnd.database(stack).query(
                "SELECT id, name, email, discord_id, verified FROM users WHERE discord_id = $1", [discordID]
            ).first
        }

        /// Onboards `email` in `browser` and approves it in the sandbox as the Discord account `discordID`.
        func onboardAndVerify(_ browser: Browser, email: String, name: String, discordID: String) throws -> (Page, [String: Any]) {
            try sandbox.setUser(id: discordID, username: "u\(discordID.suffix(6))")
            let body = try browser.onboard(name: name, email: email)
            return (try EndToEnd.authorize(browser, url: try #require(body["verification_url"] as? String)), body)
        }

        @Test func onboardingWithALinkedUsersEmailCannotTakeTheAccount() throws {
            let email = uniqueEmail()
            let victimID = Self.freshDiscordID()
            let victim = Browser(baseURL: stack.webURL)
            let (linked, _) = try onboardAndVerify(victim, email: email, name: "Victim", discordID: victimID)
            #expect(linked.location?.contains("/discord/success") == true)
            let victimUser = try #require(try user(discordID: victimID))

            let attackerID = Self.freshDiscordID()
            let attacker = Browser(baseURL: stack.webURL)
            let (refused, body) = try onboardAndVerify(attacker, email: email.uppercased(), name: "Attacker", discordID: attackerID)
            #expect(body["user_id"] as? Int == (try victimUser.int("id")))
            #expect(refused.location == stack.webURL + "/discord/error?error=verification_failed&reason=email_in_use")
            let after = try #require(try user(discordID: victimID))
            #expect(after["name"] == "Victim")
            #expect(after["email"] == email)
            #expect(try user(discordID: attackerID) == nil)
            #expect(try attacker.get("/files").location == "/login?next=/files")

            // The attacker's own Discord login is a different user, who sees none of the victim's files.
            _ = try EndToEnd.authorize(attacker, url: try #require(try attacker.get("/login").location))
            let attackerUser = try #require(try user(discordID: attackerID))
            #expect(try attackerUser.int("id") != (try victimUser.int("id")))
            #expect(attackerUser["email"] == nil)
            let files = try attacker.get("/api/files")
            #expect(files.status == 200)
            #expect(files.body == "[]")
        }

        @Test func anEmailNobodyVerifiedStaysWithWhoeverVerifiesItAndTheOwnerLogsInAsThemselves() throws {
            let email = uniqueEmail()
            let attackerID = Self.freshDiscordID()
            let attacker = Browser(baseURL: stack.webURL)
            let (linked, _) = try onboardAndVerify(attacker, email: email, name: "Squatter", discordID: attackerID)
            #expect(linked.location?.contains("/discord/success") == true)

            let ownerID = Self.freshDiscordID()
            try sandbox.setUser(id: ownerID, username: "real_owner")
            let owner = Browser(baseURL: stack.webURL)
            let login = try EndToEnd.authorize(owner, url: try #require(try owner.get("/login?next=/files").location))
            #expect(login.location == stack.webURL + "/files")
            let ownerUser = try #require(try user(discordID: ownerID))
            #expect(ownerUser["email"] == nil, "no email is derived from a Discord id, and none is taken from another user")
            #expect(try ownerUser.int("id") != (try #require(try user(discordID: attackerID)).int("id")))

            // The owner's onboarding with their own email: it is in use, the page says so, nothing changes.
            let body = try owner.onboard(name: "Owner", email: email)
            let refused = try EndToEnd.authorize(owner, url: try #require(body["verification_url"] as? String))
            #expect(refused.location == stack.webURL + "/discord/error?error=verification_failed&reason=email_in_use")
            let page = try owner.get(try #require(refused.location))
            #expect(page.body.contains("already verified this email address"))
            #expect(page.body.contains("administrator"))
            #expect(try user(discordID: ownerID)?["email"] == nil)
            #expect(try user(discordID: attackerID)?["email"] == email)

            // An admin frees the email; then the owner, signed in, verifies it for their own account.
            let unlink = try WebProcess(stack: stack, arguments: ["users", "unlink", "--email", email])
            #expect(unlink.waitForExit(timeout: 30) == 0)
            #expect(try user(discordID: attackerID)?["email"] == nil)
            let csrf = try #require(Browser.csrfToken(in: try owner.get("/onboarding")))
            let next = try owner.post(
                "/onboarding",
                form: [
                    "csrf_token": csrf, "name": "Owner", "email": email, "selectedPersonality": "friendly",
                    "communicationChannel": "discord",
                ])
            let link = try #require(next.body.range(of: #"/discord/verify\?token=[A-Za-z0-9_-]+"#, options: .regularExpression))
            let linked2 = try EndToEnd.authorize(owner, url: String(next.body[link]))
            #expect(linked2.location?.contains("/discord/success") == true)
            #expect(try user(discordID: ownerID)?["email"] == email)
        }

        @Test func unlinkingADiscordAccountSignsItsUserOutEverywhere() throws {
            let (browser, _) = try EndToEnd.logIn(stack, sandbox, username: "to_unlink")
            let discordID = try #require(
                try EndToEnd.database(stack).query(
                    """
                    SELECT u.discord_id FROM users u JOIN web_sessions s ON s.user_id = u.id ORDER BY s.created_at DESC LIMIT 1
                    """
                ).first?["discord_id"])
            #expect(try browser.get("/files").status == 200)
            let unlink = try WebProcess(stack: stack, arguments: ["users", "unlink", "--discord-id", discordID])
            #expect(unlink.waitForExit(timeout: 30) == 0)
            #expect(try user(discordID: discordID) == nil)
            #expect(try browser.get("/files").location == "/login?next=/files")
            let unknown = try WebProcess(stack: stack, arguments: ["users", "unlink", "--discord-id", discordID])
            #expect(unknown.waitForExit(timeout: 30) == 1)
        }

        @Test func aCallbackURLOpenedInAnotherBrowserSignsNobodyIn() throws {
            let attackerID = Self.freshDiscordID()
            try sandbox.setUser(id: attackerID, username: "csrf_attacker")
            let attacker = Browser(baseURL: stack.webURL)
            let body = try attacker.onboard()
            let approval = try EndToEnd.approve(attacker, url: try #require(body["verification_url"] as? String))
            let callback = try #require(approval.location)

            let victim = Browser(baseURL: stack.webURL)
            _ = try victim.get("/onboarding")
            let opened = try victim.get(callback)
            #expect(opened.location == stack.webURL + "/discord/error?error=invalid_token")
            #expect(try victim.get("/files").location == "/login?next=/files")
            #expect(try user(discordID: attackerID) == nil)

            // The raw verification token is no longer a state the callback accepts either.
            let token = try #require(body["verification_token"] as? String)
            let replayed = callback.replacingOccurrences(
                of: try #require(URLComponents(string: callback)?.queryItems?.first { $0.name == "state" }?.value), with: token)
            #expect(try victim.get(replayed).location == stack.webURL + "/discord/error?error=invalid_token")
        }

        @Test func bothFlowsUsePKCEAndTheSandboxRefusesAFlowWithoutIt() throws {
            let browser = Browser(baseURL: stack.webURL)
            let login = try #require(try browser.get("/login").location)
            let body = try browser.onboard()
            let verificationURL = try #require(body["verification_url"] as? String)
            let verify = try #require(try browser.get(verificationURL).location)
            for url in [login, verify] {
                let query = Page(status: 302, headers: ["location": url], bytes: []).locationQuery
                #expect(query["code_challenge_method"] == "S256")
                #expect(query["code_challenge"]?.count == 43)
            }
            let stripped = login.replacingOccurrences(of: "&code_challenge_method=S256", with: "")
                .replacingOccurrences(of: #"code_challenge=[^&]*&?"#, with: "", options: .regularExpression)
            let refused = try browser.get(stripped)
            #expect(refused.status == 400)
            #expect(refused.body.contains("code_challenge"))

            // A code redeemed with the wrong verifier is refused by the token endpoint.
            let form =
                "grant_type=authorization_code&code=x&redirect_uri=\(FormEncoding.encode(stack.webURL + "/api/discord/callback"))"
                + "&code_verifier=" + String(repeating: "a", count: 43)
            let approval = try browser.get(login)
            let code = try #require(approval.locationQuery["code"])
            let token = try sandbox.browser.send(
                "POST", "/api/v10/oauth2/token",
                headers: [
                    "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "DiscordBot (https://guildgate.test, 1)",
                    "Authorization": "Basic "
                        + Data("100000000000000001:\(stack.settings["DISCORD_CLIENT_SECRET"] ?? "")".utf8).base64EncodedString(),
                ],
                body: Array(form.replacingOccurrences(of: "code=x", with: "code=" + code).utf8))
            #expect(token.status == 400)
            #expect(token.body.contains("code_verifier"))
        }

        @Test func aNonMemberCannotLogInButVerificationStillLinksTheAccount() throws {
            let outsiderID = Self.freshDiscordID()
            try sandbox.setUser(id: outsiderID, username: "outsider", guildMember: false)
            let browser = Browser(baseURL: stack.webURL)
            let login = try EndToEnd.authorize(browser, url: try #require(try browser.get("/login?next=/files").location))
            #expect(login.location == stack.webURL + "/discord/error?error=not_guild_member")
            #expect(try user(discordID: outsiderID) == nil)
            #expect(try browser.get("/files").location == "/login?next=/files")
            let page = try browser.get(try #require(login.location))
            #expect(page.body.contains("Join our Discord server"))
            #expect(page.body.contains(stack.settings["DISCORD_GUILD_ID"] ?? "?"))

            let body = try browser.onboard()
            let verified = try EndToEnd.authorize(browser, url: try #require(body["verification_url"] as? String))
            #expect(verified.location == stack.webURL + "/discord/success?username=outsider&signed_in=0")
            #expect(try user(discordID: outsiderID)?.bool("verified") == true)
            #expect(try browser.get("/files").location == "/login?next=/files")
        }

        /// A cookie-authenticated upload needs the CSRF token (the staff routes' CSRF refusals are tested in-process).
        @Test func cookieAuthenticatedUploadsNeedTheCSRFToken() throws {
            let (user, userCSRF) = try EndToEnd.logIn(stack, sandbox, username: "csrf_user")
            let upload = { (headers: [String: String]) throws -> Page in
                try user.send(
                    "POST", "/files", headers: ["Content-Type": "multipart/form-data; boundary=b"].merging(headers) { $1 },
                    body: Array("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--b--\r\n".utf8))
            }
            #expect(try upload(["Authorization": "Basic Zm9vOmJhcg=="]).status == 403)
            #expect(try upload([:]).status == 403)
            #expect(try upload(["X-CSRF-Token": userCSRF, "Accept": "application/json"]).status == 200)
        }

        @Test func aThirdUploadInProgressIsAskedToWait() throws {
            let (user, csrf) = try EndToEnd.logIn(stack, sandbox, username: "busy_uploader")
            let port = try #require(Int(stack.settings["HTTP_PORT"] ?? ""))
            let cookie = user.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let name = "busy-\(UUID().uuidString.prefix(8)).bin"
            var slow: [RawHTTP] = []
            for _ in 0..<2 {
                let upload = try #require(RawHTTP(port: port, from: "127.0.0.40"))
                #expect(upload.send(Availability.uploadStart(name: name, headers: ["Cookie": cookie, "X-CSRF-Token": csrf])))
                slow.append(upload)
            }
            let db = EndToEnd.database(stack)
            #expect(
                poll(timeout: 5) {
                    try db.query("SELECT count(*) AS n FROM files WHERE name = $1 AND state = 'uploading'", [name]).first?.int("n") == 2
                })
            let third = try EndToEnd.uploadFile(user, Array("third".utf8), name: "third.bin", headers: ["X-CSRF-Token": csrf])
            #expect(third.status == 429)
            #expect(third.headers["retry-after"] == "30")
            #expect((third.json?["error"] as? String)?.contains("2 uploads in progress") == true)

            // Once the slow clients leave, their uploads are abandoned and the user may upload again.
            slow.removeAll()
            #expect(
                poll(timeout: 10) {
                    try db.query("SELECT count(*) AS n FROM files WHERE name = $1 AND state = 'uploading'", [name]).first?.int("n") == 0
                })
            let fourth = try EndToEnd.uploadFile(user, Array("fourth".utf8), name: "fourth.bin", headers: ["X-CSRF-Token": csrf])
            #expect(fourth.status == 201, "\(fourth.body)")
        }

        @Test func anUploadPastTheQuotaIsRefusedBeforeAnythingIsPosted() throws {
            let quota = try #require(Int(stack.settings["GUILDGATE_USER_QUOTA"] ?? ""))
            try sandbox.send("PUT", "/_sandbox/ratelimits", json: #"{"enabled":false}"#)
            let (user, csrf) = try EndToEnd.logIn(stack, sandbox, username: "quota_user")
            let first = try EndToEnd.uploadFile(
                user, FileStorage.randomBytes(quota * 3 / 4), name: "fits.bin", headers: ["X-CSRF-Token": csrf])
            #expect(first.status == 201, "\(first.body)")
            try sandbox.clearRequests()
            let second = try EndToEnd.uploadFile(
                user, FileStorage.randomBytes(quota / 2), name: "too-much.bin", headers: ["X-CSRF-Token": csrf])
            #expect(second.status == 413)
            #expect(second.json?["code"] as? String == "quota_exceeded")
            #expect((second.json?["error"] as? String)?.contains("quota") == true)
            #expect(try sandbox.requestedPaths().allSatisfy { !$0.contains("/messages") }, "nothing was posted to Discord")
            let files = try #require(try JSONSerialization.jsonObject(with: Data(try user.get("/api/files").bytes)) as? [[String: Any]])
            #expect(files.map { $0["name"] as? String } == ["fits.bin"])

            let token = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            let exempt = try EndToEnd.uploadFile(
                user, FileStorage.randomBytes(quota / 2), name: "admin.bin", headers: ["Authorization": "Bearer \(token)"])
            #expect(exempt.status == 201, "the API token is exempt: \(exempt.body)")
        }
    }
}
