import ProcessSupport

extension LocalStack {
    /// Why ``follow(until:emit:)`` returned.
    public enum FollowEnd: Sendable {
        case stopRequested
        /// guildgate-web or nginx is gone.
        case serviceExited
    }

    /// The foreground of `run`: hands each new line of the web, bot, sandbox, nginx-error and postgres logs to `emit`,
    /// prefixed with its log's name, until `stop` opens, or until guildgate-web or nginx has been gone for two checks
    /// in a row, 2 s apart (a `restart` is not an exit).
    public func follow(until stop: Latch, emit: (String) -> Void) -> FollowEnd {
        let context = context(in: directory, interrupt: stop)
        let follower = LogFollower(paths: ["web", "bot", "sandbox", "nginx-error", "postgres"].map(directory.log))
        var missing = 0
        var nextCheck = ContinuousClock.now + .seconds(2)
        while true {
            follower.newLines().forEach(emit)
            if stop.block(timeout: .milliseconds(200)) { return .stopRequested }
            guard ContinuousClock.now >= nextCheck else { continue }
            nextCheck = .now + .seconds(2)
            guard !(context.service(.web).isRunning && context.service(.nginx).isRunning) else {
                missing = 0
                continue
            }
            missing += 1
            if missing >= 2 {
                logger.error("guildgate-web or nginx exited (see the log lines above); stopping")
                return .serviceExited
            }
        }
    }
}
