import Foundation

/// Blocking work (starting and stopping processes, waiting for them) on a thread of its own, off Swift's cooperative
/// thread pool, where the task that waits for signals must keep running.
enum BlockingWork {
    static func run<Value: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> Value) async throws(Failure) -> Value
    {
        let result: Result<Value, Failure> = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Result(catching: work)) }.start()
        }
        return try result.get()
    }
}
