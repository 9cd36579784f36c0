#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Monotonic time and blocking sleep for the rate limiter and the retry loop. Tests inject a manual
/// clock so that waiting is instantaneous and observable.
public protocol BlockingClock: Sendable {
    /// Time since an arbitrary fixed origin; never goes backwards.
    func now() -> Duration
    /// Blocks the calling thread (never an async task) for `duration`.
    func sleep(for duration: Duration)
}

/// The real clock: `ContinuousClock` time and `nanosleep`.
public struct SystemClock: BlockingClock {
    private static let origin = ContinuousClock.now

    public init() {}

    public func now() -> Duration {
        ContinuousClock.now - Self.origin
    }

    public func sleep(for duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0, errno == EINTR {
            request = remaining
        }
    }
}

extension Duration {
    /// Seconds as a `Double` (for messages and headers).
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// A duration from (possibly fractional) seconds; negative or non-finite values give zero.
    static func seconds(fractional value: Double) -> Duration {
        guard value.isFinite, value > 0 else { return .zero }
        return .nanoseconds(Int64((min(value, 1e9) * 1e9).rounded(.up)))
    }
}
