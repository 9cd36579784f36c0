import Foundation
import GuildGateTesting
import Store
import Testing

/// `/admin/login` against people who guess: wrong passwords are throttled per username and address,
/// also when they arrive all at once.
@Suite struct AdminLogin {
    let app: TestApplication
    let db: PostgresConnection

    init() async throws {
        // Signing in leads to the dashboard, which asks Discord.
        app = try await TestApplication(overrides: TestApplication.unreachableDiscord)
        db = app.database()
    }

    static func newUsername() -> String {
        "admin\(UUID().uuidString.prefix(6).lowercased())"
    }

    @Test func createAdminThenSignInWithThrottling() throws {
        let username = Self.newUsername()
        try app.createAdmin(username: username, password: "s3cret-passphrase")

        let browser = app.client()
        #expect(try browser.get("/admin").location == "/admin/login")
        let csrf = try #require(TestClient.csrfToken(in: try browser.get("/admin/login")))
        let wrong = try browser.post("/admin/login", form: ["csrf_token": csrf, "username": username, "password": "nope"])
        #expect(wrong.status == 401)
        let right = try browser.post("/admin/login", form: ["csrf_token": csrf, "username": username, "password": "s3cret-passphrase"])
        #expect(right.status == 303)
        #expect(right.location == "/admin")
        #expect(try browser.get("/admin").body.contains(username))

        let intruder = app.client()
        let token = try #require(TestClient.csrfToken(in: try intruder.get("/admin/login")))
        var statuses: [Int] = []
        for _ in 0..<6 {
            statuses.append(
                try intruder.post("/admin/login", form: ["csrf_token": token, "username": username, "password": "guess"]).status)
        }
        #expect(statuses == [401, 401, 401, 401, 401, 429])
        let blocked = try intruder.post("/admin/login", form: ["csrf_token": token, "username": username, "password": "s3cret-passphrase"])
        #expect(blocked.status == 429)
        #expect(blocked.headers["retry-after"] == "900")

        // The throttle looks back 15 minutes (attempts carry the database's time): after them, the right
        // password is judged again.
        app.clock.advance(to: Date().addingTimeInterval(15 * 60 + 1))
        let later = try intruder.post("/admin/login", form: ["csrf_token": token, "username": username, "password": "s3cret-passphrase"])
        #expect(later.status == 303)
    }

    @Test func parallelWrongPasswordsAreJudgedAtMostFiveTimes() throws {
        let username = Self.newUsername()
        try app.createAdmin(username: username, password: "s3cret-passphrase")
        let attempts = 24
        let statuses = ParallelStatuses()
        let ready = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        let app = app
        for _ in 0..<attempts {
            done.enter()
            Thread {
                defer { done.leave() }
                let browser = app.client()
                let csrf = (try? browser.get("/admin/login")).flatMap(TestClient.csrfToken(in:)) ?? ""
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
