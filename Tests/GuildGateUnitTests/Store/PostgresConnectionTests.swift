import Foundation
import Store
import Synchronization
import GuildGateTesting
import Testing

/// A PostgreSQL that accepts connections and never answers (paused, or behind a cut network path) must
/// not hold a thread for ever: connecting gives up after `connect_timeout`, and an interrupt ends any wait.
@Suite struct PostgresConnectionTests {
    @Test func connectingToAServerThatNeverAnswersGivesUpAfterConnectTimeout() throws {
        let silent = try TCPProxy(target: .none)
        defer { silent.close() }
        silent.set(.stall)
        let db = PostgresConnection(url: "postgresql://nobody@127.0.0.1:\(silent.port)/none?connect_timeout=2&sslmode=disable")
        let started = Date()
        #expect {
            try db.connect()
        } throws: { error in
            "\(error)".contains("no answer within 2 s (connect_timeout)")
        }
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 1.9 && waited < 4, "gave up after \(waited) s")
        #expect(silent.accepted == 1)
    }

    @Test func anInterruptEndsAConnectAttemptWithin100Milliseconds() throws {
        let silent = try TCPProxy(target: .none)
        defer { silent.close() }
        silent.set(.stall)
        let deadline = Date().addingTimeInterval(0.3)
        let db = PostgresConnection(url: "postgresql://nobody@127.0.0.1:\(silent.port)/none?sslmode=disable") { Date() >= deadline }
        #expect(throws: StoreError.interrupted) { try db.connect() }
        let late = Date().timeIntervalSince(deadline)
        #expect(late < 0.5, "the interrupt was noticed \(late) s late")
    }

    @Test func aRefusedConnectionFailsAtOnceWithTheReason() throws {
        let refusing = try TCPProxy(target: .none)
        refusing.close()
        Thread.sleep(forTimeInterval: 0.2)
        let db = PostgresConnection(url: "postgresql://nobody@127.0.0.1:\(refusing.port)/none?sslmode=disable")
        let started = Date()
        #expect {
            try db.connect()
        } throws: { error in
            "\(error)".contains("cannot connect to PostgreSQL (check DATABASE_URL)")
        }
        #expect(Date().timeIntervalSince(started) < 1)
    }
}

/// A PostgreSQL that ends connections (a restart's fast shutdown, `pg_terminate_backend`) or goes away: the
/// next statement goes to a new connection, and the process's `DatabaseHealth` follows what its connections learn.
@Suite struct PostgresReconnectTests {
    @Test func aConnectionTheServerEndedWhileIdleIsReplacedBeforeTheNextStatement() async throws {
        let app = try await TestApplication()
        let health = DatabaseHealth()
        let db = PostgresConnection(url: app.config.databaseURL, health: health)
        let pid = try #require(try db.query("SELECT pg_backend_pid() AS pid").first?.int("pid"))
        // The FATAL 57P01 "terminating connection due to administrator command" a fast shutdown sends too.
        let other = app.database()
        #expect(try other.query("SELECT pg_terminate_backend($1) AS done", [pid]).first?.bool("done") == true)
        #expect(poll(timeout: 5) { try other.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]).rows.isEmpty })
        let next = try #require(try db.query("SELECT pg_backend_pid() AS pid").first?.int("pid"))
        #expect(next != pid)
        #expect(health.status == .up)
    }

    @Test func aTransactionWhoseConnectionTheServerEndedFailsInsteadOfGoingOnWithoutIt() async throws {
        let app = try await TestApplication()
        let db = PostgresConnection(url: app.config.databaseURL)
        let other = app.database()
        #expect {
            try db.transaction { db in
                let pid = try #require(try db.query("SELECT pg_backend_pid() AS pid").first?.int("pid"))
                try other.query("SELECT pg_terminate_backend($1)", [pid])
                #expect(poll(timeout: 5) { try other.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]).rows.isEmpty })
                try db.query("SELECT 1")
            }
        } throws: { error in
            guard case StoreError.connectionLost = error else { return false }
            return true
        }
        #expect(try db.query("SELECT 1").rows.count == 1, "the next call reconnects")
    }

    @Test func healthIsDownFromTheFirstFailureAndUpAtTheNextConnection() async throws {
        let app = try await TestApplication()
        let gone = try TCPProxy(target: .none)
        gone.close()
        let health = DatabaseHealth()
        #expect(health.status == .unknown)
        let unreachable = PostgresConnection(url: "postgresql://nobody@127.0.0.1:\(gone.port)/none?sslmode=disable", health: health)
        #expect(throws: StoreError.self) { try unreachable.query("SELECT 1") }
        guard case .down(let since) = health.status else { Issue.record("not down: \(health.status)"); return }
        #expect(throws: StoreError.self) { try unreachable.query("SELECT 1") }
        #expect(health.status == .down(since: since), "a second failure moved the start of the outage")
        try PostgresConnection(url: app.config.databaseURL, health: health).query("SELECT 1")
        #expect(health.status == .up)
    }

    @Test func pingGivesUpByItsTimeoutOnAServerThatNeverAnswers() throws {
        let silent = try TCPProxy(target: .none)
        defer { silent.close() }
        silent.set(.stall)
        let db = PostgresConnection(url: "postgresql://nobody@127.0.0.1:\(silent.port)/none?sslmode=disable&connect_timeout=10")
        let started = Date()
        #expect { try db.ping(timeout: .milliseconds(500)) } throws: { "\($0)".contains("no answer in time") }
        let waited = Date().timeIntervalSince(started)
        #expect(waited >= 0.45 && waited < 1, "gave up after \(waited) s")
    }
}
