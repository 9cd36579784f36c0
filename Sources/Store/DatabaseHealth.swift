import Foundation
import Synchronization

/// What a process's connections last learned about PostgreSQL: shared by every connection made with it, so a
/// liveness probe can say whether the database is reachable without a round trip of its own. A connection
/// that cannot connect or loses its connection marks it down; one that (re)connects marks it up.
public final class DatabaseHealth: Sendable {
    public enum Status: Sendable, Equatable {
        /// No connection has been tried yet.
        case unknown
        case up
        /// Unreachable since this moment (the first failure of the outage).
        case down(since: Date)

        /// `up`, `down` or `unknown`, for a health page.
        public var name: String {
            switch self {
            case .unknown: return "unknown"
            case .up: return "up"
            case .down: return "down"
            }
        }
    }

    private let state = Mutex(Status.unknown)

    public init() {}

    public var status: Status { state.withLock { $0 } }

    func reached() {
        state.withLock { $0 = .up }
    }

    func unreachable() {
        state.withLock { status in
            if case .down = status { return }
            status = .down(since: Date())
        }
    }
}
