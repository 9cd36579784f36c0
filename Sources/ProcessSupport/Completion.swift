import Synchronization

/// The outcome of work handed to a ``WorkQueue``, blocked on by a thread or awaited by a task.
public final class Completion<Value: Sendable>: Sendable {
    private let outcome = Mutex<Result<Value, any Error>?>(nil)
    private let done = Latch()

    init() {}

    /// Blocks the calling thread (never a task) until the work has run; what it returned or threw.
    public func wait() throws -> Value {
        done.block()
        return try result()
    }

    /// What the work returned or threw, once it has run; `CancellationError` if the task is cancelled first.
    public var value: Value {
        get async throws {
            guard await done.wait() else { throw CancellationError() }
            return try result()
        }
    }

    func finish(_ result: Result<Value, any Error>) {
        outcome.withLock { $0 = result }
        done.open()
    }

    private func result() throws -> Value {
        try outcome.withLock { $0! }.get()
    }
}
