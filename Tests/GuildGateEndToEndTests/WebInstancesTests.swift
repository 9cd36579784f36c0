import Foundation
import GuildGateTesting
import Synchronization
import Testing

extension EndToEnd {
    /// Two guildgate-web instances behind the stack's nginx: what one starts (a CSRF token, a session, an OAuth
    /// state) the other honours, and restarting them one at a time with `nginx -s reload` under load fails no request.
    @Suite struct WebInstances {
        let stack: TestStack
        let sandbox: SandboxControl

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
        }

        @Test func csrfSessionsAndOAuthStatesWorkWhicheverInstanceAnswers() throws {
            let first = try WebProcess.behindNginx(stack)
            let second = try WebProcess.behindNginx(stack)
            defer { try? stack.routeWeb(to: []) }
            try EndToEnd.database(stack).query("DELETE FROM login_attempts")
            let username = "admin\(UUID().uuidString.prefix(6).lowercased())"
            try EndToEnd.createAdmin(stack, username: username, password: "s3cret-passphrase")

            let admin = Browser(baseURL: stack.webURL)
            try stack.routeWeb(to: [first.socketPath])
            let csrf = try #require(Browser.csrfToken(in: try admin.get("/admin/login")))
            try stack.routeWeb(to: [second.socketPath])
            let signedIn = try admin.post(
                "/admin/login", form: ["csrf_token": csrf, "username": username, "password": "s3cret-passphrase"])
            #expect(signedIn.status == 303, "the second instance refused the first one's CSRF token: \(signedIn.status)")
            try stack.routeWeb(to: [first.socketPath])
            #expect(try admin.get("/admin").status == 200, "the first instance does not know the second one's session")

            try sandbox.setUser(id: "730000000000000041", username: "two_webs")
            let member = Browser(baseURL: stack.webURL)
            let approval = try EndToEnd.approve(member, url: stack.webURL + "/login?next=/onboarding")
            try stack.routeWeb(to: [second.socketPath])
            let callback = try member.get(try #require(approval.location))
            #expect(
                callback.status == 302 && callback.location == stack.webURL + "/onboarding",
                "\(callback.status): \(callback.body.prefix(500))")
            try stack.routeWeb(to: [first.socketPath])
            #expect(try member.get("/").body.contains("You are signed in as two_webs"))
            withExtendedLifetime((first, second)) {}
        }

        @Test func restartingEachInstanceInTurnUnderLoadFailsNoRequest() throws {
            var instances = [try WebProcess.behindNginx(stack), try WebProcess.behindNginx(stack)]
            defer { try? stack.routeWeb(to: []) }
            try stack.routeWeb(to: instances.map(\.socketPath))
            let load = Load(baseURL: stack.webURL, clients: 4)

            for index in instances.indices {
                let others = instances.enumerated().filter { $0.offset != index }.map(\.element.socketPath)
                try stack.routeWeb(to: others)
                instances[index].signal(SIGTERM)
                #expect(instances[index].waitForExit(timeout: 15) == 0, "\(instances[index].errorOutput.suffix(1000))")
                instances[index] = try WebProcess.behindNginx(stack)
                try stack.routeWeb(to: instances.map(\.socketPath))
            }
            let (served, failures) = load.stop()
            #expect(served > 100, "too little load to say anything: \(served) requests")
            #expect(
                failures.isEmpty,
                "\(failures.count) of \(served) requests failed: \(failures.prefix(5))\n\(stack.nginxErrorLog.suffix(3000))")
        }
    }
}

/// Clients sending pages, API calls and refused forms (a POST) through nginx until stopped, counting what failed: an
/// error from the connection, or a 5xx.
private final class Load: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let outcome = Mutex<(served: Int, failures: [String])>((0, []))
    private let finished: [Finished]

    private final class Finished: Sendable {
        let done = Atomic<Bool>(false)
    }

    init(baseURL: String, clients: Int) {
        finished = (0..<clients).map { _ in Finished() }
        for (index, completion) in finished.enumerated() {
            Thread.detachNewThread { [self] in
                let browser = Browser(baseURL: baseURL)
                var round = index
                while !stopping.load(ordering: .relaxed) {
                    round += 1
                    // None of them is rate limited per address, which would hold up the sign-ins of later tests.
                    let request = ["GET /", "GET /healthz", "POST /logout", "GET /api/staff/roster/"][round % 4]
                    let failure: String?
                    do {
                        let page =
                            request.hasPrefix("POST")
                            ? try browser.post("/logout", form: ["csrf_token": "not-a-token"])
                            : try browser.get(String(request.dropFirst(4)))
                        failure = page.status >= 500 ? "\(request): \(page.status)" : nil
                    } catch {
                        failure = "\(request): \(error)"
                    }
                    outcome.withLock { outcome in
                        outcome.served += 1
                        if let failure { outcome.failures.append(failure) }
                    }
                }
                completion.done.store(true, ordering: .releasing)
            }
        }
    }

    func stop() -> (served: Int, failures: [String]) {
        stopping.store(true, ordering: .relaxed)
        while !finished.allSatisfy({ $0.done.load(ordering: .acquiring) }) { usleep(10_000) }
        return outcome.withLock { $0 }
    }
}
