import DiscordKit
import Foundation
import Synchronization

/// A clock that only moves when a test advances it or code sleeps on it: waiting is instant and visible.
/// It is DiscordKit's `BlockingClock` (`now()`, `sleep(for:)`) and, through `date`, an application's
/// wall clock (`AppEnvironment(clock: { clock.date })`).
public final class ManualClock: BlockingClock {
    private let state = Mutex<(elapsed: Duration, sleeps: [Duration])>((.zero, []))
    private let start: Date

    /// Starts at `start` on the wall clock (now by default).
    public init(start: Date = Date()) {
        self.start = start
    }

    /// Time on the monotonic scale `BlockingClock` uses: 1000 s plus what has passed.
    public func now() -> Duration { .seconds(1000) + state.withLock { $0.elapsed } }

    /// The wall-clock time: the start plus what has passed.
    public var date: Date {
        let elapsed = state.withLock { $0.elapsed }
        return start.addingTimeInterval(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    public func sleep(for duration: Duration) {
        state.withLock {
            $0.elapsed += duration
            $0.sleeps.append(duration)
        }
    }

    public func advance(_ duration: Duration) { state.withLock { $0.elapsed += duration } }

    /// Moves the wall clock on to `date` (a clock never goes back): for comparisons with times the
    /// database recorded with its own `now()`.
    public func advance(to date: Date) {
        let ahead = date.timeIntervalSince(self.date)
        if ahead > 0 { advance(.nanoseconds(Int64(ahead * 1e9))) }
    }

    /// Every sleep so far, oldest first.
    public var sleeps: [Duration] { state.withLock { $0.sleeps } }
    public var totalSlept: Duration { sleeps.reduce(.zero, +) }
}
