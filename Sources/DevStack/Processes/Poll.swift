import ProcessSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Waiting for something to happen: a condition checked every `interval` until it holds or `timeout` passes. A poll
/// with an interrupt gives up at once, with ``StackError/interrupted``, when the interrupt opens (SIGINT or SIGTERM).
struct Poll: Sendable {
    let interrupt: Latch

    /// A poll nothing interrupts: what stopping the stack uses, since stopping must finish.
    static func uninterrupted(
        upTo timeout: Duration, every interval: Duration = .milliseconds(100), until condition: () -> Bool
    ) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !condition() {
            guard ContinuousClock.now < deadline else { return false }
            let (seconds, attoseconds) = interval.components
            usleep(UInt32(seconds) * 1_000_000 + UInt32(attoseconds / 1_000_000_000_000))
        }
        return true
    }

    /// Whether `condition` came to hold within `timeout`.
    func wait(
        upTo timeout: Duration, every interval: Duration = .milliseconds(100), until condition: () throws(StackError) -> Bool
    ) throws(StackError) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while try !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try sleep(interval)
        }
        return true
    }

    /// Sleeps for `duration`, unless the interrupt opens first.
    private func sleep(_ duration: Duration) throws(StackError) {
        if interrupt.block(timeout: duration) { throw .interrupted }
    }
}
