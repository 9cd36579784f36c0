import Foundation
import GuildGateTesting
import Store
import Testing

/// End-to-end tests through real nginx, guildgate-web, PostgreSQL and discord-sandbox. They share one
/// stack and the sandbox's state, so they run one at a time.
@Suite(.serialized) enum EndToEnd {
    /// A fresh stack handle, with the sandbox reset to its defaults. The gateway sessions the bots saved for
    /// the sandbox go with it: a bot resumes none of a previous test's sessions.
    static func stack() throws -> (TestStack, SandboxControl) {
        let stack = try TestStack.shared()
        let sandbox = SandboxControl(baseURL: stack.sandboxURL)
        try sandbox.reset()
        try database(stack).query("TRUNCATE gateway_shards, gateway_identify_buckets")
        return (stack, sandbox)
    }

    /// Makes the sandbox approve as a Discord account no other test has linked.
    static func useFreshDiscordAccount(_ sandbox: SandboxControl, username: String) throws {
        try sandbox.setUser(id: String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999)), username: username)
    }

    /// Follows a verification or login URL (GuildGate's `/discord/verify` or `/login`, then the sandbox's
    /// consent screen) up to the sandbox's redirect to our callback, which is returned unfollowed.
    static func approve(_ browser: Browser, url: String) throws -> Page {
        var page = try browser.get(url)
        for _ in 0..<3 where page.status == 302 && !(page.location ?? "").contains("/api/discord/callback") {
            page = try browser.get(try #require(page.location))
        }
        #expect(page.status == 302, "the authorize step answered \(page.status): \(page.body)")
        return page
    }

    /// Follows a verification or login URL through the sandbox's authorize step to our callback.
    static func authorize(_ browser: Browser, url: String) throws -> Page {
        let approval = try approve(browser, url: url)
        let callback = try #require(approval.location)
        return try browser.get(callback)
    }

    static func database(_ stack: TestStack) -> PostgresConnection {
        PostgresConnection(url: stack.databaseURL)
    }

    /// A browser signed in with a Discord account no other test uses (its id is the sandbox's OAuth user's),
    /// and the session's CSRF token.
    static func logIn(_ stack: TestStack, _ sandbox: SandboxControl, username: String) throws -> (Browser, String) {
        try useFreshDiscordAccount(sandbox, username: username)
        let browser = Browser(baseURL: stack.webURL)
        let callback = try authorize(browser, url: try #require(try browser.get("/login?next=/files").location))
        #expect(callback.status == 302)
        let page = try browser.get("/files")
        #expect(page.status == 200, "\(page.body.prefix(500))")
        return (browser, try #require(Browser.csrfToken(in: page)))
    }

    /// `POST /api/files` with `bytes` as the multipart field `file`, and `headers` (the credentials).
    static func uploadFile(_ browser: Browser, _ bytes: [UInt8], name: String, headers: [String: String]) throws -> Page {
        try browser.send(
            "POST", "/api/files", headers: headers.merging(["Content-Type": "multipart/form-data; boundary=gg-test-boundary"]) { $1 },
            body: FileStorage.multipart(bytes, name: name))
    }

    /// Creates an admin with `create-admin` (or resets the password of an existing one).
    static func createAdmin(_ stack: TestStack, username: String, password: String) throws {
        let create = try WebProcess(
            stack: stack, arguments: ["create-admin", "--username", username, "--password-stdin"],
            stdin: password + "\n")
        #expect(create.waitForExit(timeout: 60) == 0, "\(create.errorOutput.suffix(1000))")
    }
}
