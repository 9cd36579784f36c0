/// At most `limit` commands per `window` per Discord user, counted over a sliding window. Beyond it the
/// user gets one "slow down" answer, then nothing until the window lets a command through again, so a
/// spammer's commands are dropped as they arrive instead of queueing in front of everyone else's.
struct CommandLimiter: Sendable {
    typealias Instant = ContinuousClock.Instant

    enum Admission: Equatable {
        /// Run the command.
        case run
        /// Say once that the user is over the limit, with the whole seconds until a command runs again.
        case slowDown(retryAfterSeconds: Int)
        /// Over the limit and already told.
        case ignore
    }

    private struct User {
        /// The times of the commands run within the window, oldest first.
        var recent: [Instant] = []
        var warned = false
    }

    let limit: Int
    let window: Duration
    private var users: [String: User] = [:]
    private var nextSweep: Instant?

    init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    mutating func admit(_ userID: String, at now: Instant) -> Admission {
        sweep(at: now)
        var user = users[userID] ?? User()
        user.recent.removeAll { now - $0 >= window }
        defer { users[userID] = user }
        if user.recent.count < limit {
            user.recent.append(now)
            user.warned = false
            return .run
        }
        guard !user.warned else { return .ignore }
        user.warned = true
        let wait = window - (now - user.recent[0])
        let (seconds, attoseconds) = wait.components
        return .slowDown(retryAfterSeconds: Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    /// Forgets, once per window, the users with nothing left in it: memory follows the active users.
    private mutating func sweep(at now: Instant) {
        guard let nextSweep else { nextSweep = now + window; return }
        guard now >= nextSweep else { return }
        users = users.filter { _, user in user.recent.last.map { now - $0 < window } ?? false }
        self.nextSweep = now + window
    }
}
