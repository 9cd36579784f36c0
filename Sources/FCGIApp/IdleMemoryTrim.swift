import CFastCGI
import Foundation
import Synchronization

/// Gives the heap that requests freed back to the system once the server goes quiet. glibc keeps what each
/// worker thread frees in that thread's arena (a roster answer and its rows are a few hundred KB), so after a
/// burst across 16 threads the process would stay about 12 MiB above its idle size until the next restart.
/// Nothing is done while requests keep coming: `malloc_trim` runs once per quiet spell, on its own thread.
final class IdleMemoryTrim: Sendable {
    /// How long the server must have served nothing before the trim.
    static let quietInterval = Duration.seconds(2)

    private let served = Atomic<Int>(0)

    /// Called by a worker after each request.
    func requestServed() {
        served.add(1, ordering: .relaxed)
    }

    /// Checks every `quietInterval` until `isStopping`, and trims after a quiet interval that followed requests.
    func run(isStopping: () -> Bool) {
        var seen = 0
        var trimmedAt = 0
        while !isStopping() {
            Thread.sleep(forTimeInterval: TimeInterval(Self.quietInterval.components.seconds))
            let count = served.load(ordering: .relaxed)
            if count == seen, count != trimmedAt {
                malloc_trim(0)
                trimmedAt = count
            }
            seen = count
        }
    }
}
