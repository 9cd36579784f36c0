import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// SIGTERM and SIGINT as an awaitable event. Create it before the server announces itself, so a
/// signal sent right after the announcement is never fatal.
public final class ShutdownSignals: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let received: AsyncStream<Int32>

    public init() {
        let (received, continuation) = AsyncStream<Int32>.makeStream()
        self.received = received
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        self.sources = Mutex(sources)
    }

    /// Returns the first signal received, or `nil` if the waiting task is cancelled first.
    public func wait() async -> Int32? {
        defer { sources.withLock { $0.forEach { $0.cancel() } } }
        for await number in received { return number }
        return nil
    }
}
