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
