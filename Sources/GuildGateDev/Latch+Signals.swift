import ProcessSupport

extension Latch {
    /// A latch that opens on the first SIGINT or SIGTERM. The signals are taken over at once, whatever their
    /// disposition was (a command started with `&` ignores SIGINT): from now on, one of them stops the stack
    /// instead of killing guildgate-dev half-way.
    static func openedBySignal() -> Latch {
        let latch = Latch()
        let signals = ShutdownSignals()
        Task {
            if await signals.wait() != nil { latch.open() }
        }
        return latch
    }
}
