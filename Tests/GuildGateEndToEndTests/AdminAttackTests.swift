import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// `/admin/login` against a stranger with a script, through nginx.
    @Suite struct AdminAttacks {
        let stack: TestStack
        let db: PostgresConnection

        init() throws {
            (stack, _) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            // Every test comes from 127.0.0.1, which the throttle counts too.
            try db.query("DELETE FROM login_attempts")
        }

        func createAdmin(_ username: String, password: String) throws {
            try EndToEnd.createAdmin(stack, username: username, password: password)
        }

        func signIn(_ username: String, password: String) throws -> (Browser, Page) {
            let browser = Browser(baseURL: stack.webURL)
            let csrf = try #require(Browser.csrfToken(in: try browser.get("/admin/login")))
            return (browser, try browser.post("/admin/login", form: ["csrf_token": csrf, "username": username, "password": password]))
        }

        @Test func parallelWrongPasswordsAreJudgedAtMostFiveTimes() throws {
            let username = "admin\(UUID().uuidString.prefix(6).lowercased())"
            try createAdmin(username, password: "s3cret-passphrase")
            let attempts = 24
            let statuses = ParallelStatuses()
            let ready = DispatchSemaphore(value: 0)
            let go = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            let webURL = stack.webURL
            for _ in 0..<attempts {
                done.enter()
                Thread {
                    defer { done.leave() }
                    let browser = Browser(baseURL: webURL)
                    let csrf = (try? browser.get("/admin/login")).flatMap(Browser.csrfToken(in:)) ?? ""
                    ready.signal()
                    go.wait()
                    let page = try? browser.post("/admin/login", form: ["csrf_token": csrf, "username": username, "password": "guess"])
                    statuses.append(page?.status ?? -1)
                }.start()
            }
            for _ in 0..<attempts { ready.wait() }
            for _ in 0..<attempts { go.signal() }
            done.wait()

            let all = statuses.all
            let judged = all.filter { $0 == 401 }.count
            #expect(all.count == attempts)
            #expect((1...5).contains(judged), "\(all)")
            #expect(all.filter { $0 == 429 }.count == attempts - judged, "\(all)")
            let recorded = try db.query("SELECT count(*) AS n FROM login_attempts WHERE username = $1", [username]).first?.int("n")
            #expect(recorded == judged, "failures recorded: \(recorded ?? -1), answered 401: \(judged)")
        }

        @Test func resettingAnAdminPasswordEndsItsSessions() throws {
            let username = "admin\(UUID().uuidString.prefix(6).lowercased())"
            try createAdmin(username, password: "s3cret-passphrase")
            let (laptop, first) = try signIn(username, password: "s3cret-passphrase")
            #expect(first.status == 303)
            let (phone, second) = try signIn(username, password: "s3cret-passphrase")
            #expect(second.status == 303)
            #expect(try laptop.get("/admin").status == 200)
            let adminID = try #require(try db.query("SELECT id FROM admins WHERE username = $1", [username]).first?.int("id"))
            #expect(try db.query("SELECT count(*) AS n FROM web_sessions WHERE admin_id = $1", [adminID]).first?.int("n") == 2)

            try createAdmin(username, password: "an0ther-passphrase")
            #expect(try laptop.get("/admin").location == "/admin/login")
            #expect(try phone.get("/admin").location == "/admin/login")
            #expect(try db.query("SELECT count(*) AS n FROM web_sessions WHERE admin_id = $1", [adminID]).first?.int("n") == 0)
            #expect(try signIn(username, password: "s3cret-passphrase").1.status == 401)
            #expect(try signIn(username, password: "an0ther-passphrase").1.status == 303)
        }
    }
}

/// Statuses collected from many threads.
private final class ParallelStatuses: @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [Int] = []

    func append(_ status: Int) {
        lock.withLock { statuses.append(status) }
    }

    var all: [Int] { lock.withLock { statuses } }
}
