import Foundation
import Synchronization

/// How many requests one access token may make to the sync API: `limit` per `window`, counted in
/// memory by the token's SHA-256 for every thread of the web process (each web instance counts its own).
public final class TokenRateLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    let capacity: Int
    private let windows = Mutex<[TokenDigest: (start: Date, count: Int)]>([:])

    public init(limit: Int = 60, window: TimeInterval = 60, capacity: Int = 10_000) {
        self.limit = max(1, limit)
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Counts one request; nil when it may go on, else the whole seconds until the token's window ends.
    public func retryAfter(admitting digest: TokenDigest, now: Date) -> Int? {
        windows.withLock { windows in
            if let current = windows[digest], now.timeIntervalSince(current.start) < window {
                guard current.count < limit else {
                    return max(1, Int((window - now.timeIntervalSince(current.start)).rounded(.up)))
                }
                windows[digest] = (current.start, current.count + 1)
                return nil
            }
            TokenDigest.makeRoom(in: &windows, capacity: capacity) { now.timeIntervalSince($0.start) < window }
            windows[digest] = (now, 1)
            return nil
        }
    }
}
