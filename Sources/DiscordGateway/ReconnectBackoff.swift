/// Delays between reconnect attempts: none after a healthy session ends, then exponential with jitter
/// (1 s, 2 s, 4 s … capped, at a minute unless told otherwise), each drawn from the upper half of its
/// step so that a fleet of bots restarted together does not reconnect in lockstep. The bot uses it for
/// the gateway and, with a lower cap, for PostgreSQL.
public struct ReconnectBackoff: Sendable {
    public let base: Duration
    public let cap: Duration
    public private(set) var failures = 0

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(60)) {
        self.base = base
        self.cap = cap
    }

    /// The session became ready: the next reconnect is immediate.
    public mutating func succeeded() { failures = 0 }

    /// The wait before the next connection attempt.
    public mutating func nextDelay<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Duration {
        defer { failures += 1 }
        guard failures > 0 else { return .zero }
        let step = min(cap, base * (1 << min(failures - 1, 16)))
        return step * Double.random(in: 0.5...1.0, using: &generator)
    }
}
