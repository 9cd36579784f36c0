import Dispatch
import Synchronization

/// Something that happens once (a stop was asked for, a thread ended), awaited with a deadline by tasks
/// and by threads alike, and checked in passing by loops. Opening it wakes every waiter at once.
public final class Latch: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [ObjectIdentifier: Waiter] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Opens the latch and wakes every waiter; later calls do nothing.
    public func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.finish(opened: true) }
    }

    /// Suspends until the latch opens (true), or `deadline` passes or the task is cancelled (false).
    @discardableResult
    public func wait(until deadline: ContinuousClock.Instant) async -> Bool {
        await wait(deadline: deadline)
    }

    /// Suspends until the latch opens (true) or the task is cancelled (false).
    @discardableResult
    public func wait() async -> Bool {
        await wait(deadline: nil)
    }

    /// Blocks the calling thread (never a task) until the latch opens.
    public func block() {
        _ = enlist()?.block(timeout: nil)
    }

    /// Blocks the calling thread (never a task) until the latch opens (true) or `timeout` passes (false).
    @discardableResult
    public func block(timeout: Duration) -> Bool {
        guard let waiter = enlist() else { return true }
        if waiter.block(timeout: timeout) { return true }
        // Timed out, unless open() has just taken the waiter (its wake-up is then on the way).
        return !dismiss(waiter) && waiter.block(timeout: nil)
    }

    private func wait(deadline: ContinuousClock.Instant?) async -> Bool {
        guard let waiter = enlist() else { return true }
        let timer = deadline.map { deadline in
            Task { [self] in
                guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                dismiss(waiter)
            }
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { waiter.suspend($0) }
        } onCancel: {
            dismiss(waiter)
        }
    }

    private func enlist() -> Waiter? {
        state.withLock { state in
            guard !state.isOpen else { return nil }
            let waiter = Waiter()
            state.waiters[ObjectIdentifier(waiter)] = waiter
            return waiter
        }
    }

    /// Ends one wait with false, unless open() took it first; whether it did.
    @discardableResult
    private func dismiss(_ waiter: Waiter) -> Bool {
        guard state.withLock({ $0.waiters.removeValue(forKey: ObjectIdentifier(waiter)) }) != nil else { return false }
        waiter.finish(opened: false)
        return true
    }
}

/// One wait on a ``Latch``: ended exactly once, by the latch opening or by its deadline, whichever
/// comes first, whether or not the waiter has suspended yet.
private final class Waiter: Sendable {
    private struct State {
        var outcome: Bool?
        var continuation: CheckedContinuation<Bool, Never>?
    }

    private let state = Mutex(State())
    private let semaphore = DispatchSemaphore(value: 0)

    func finish(opened: Bool) {
        let continuation = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard state.outcome == nil else { return nil }
            state.outcome = opened
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: opened)
        semaphore.signal()
    }

    func suspend(_ continuation: CheckedContinuation<Bool, Never>) {
        let outcome = state.withLock { state in
            if state.outcome == nil { state.continuation = continuation }
            return state.outcome
        }
        if let outcome { continuation.resume(returning: outcome) }
    }

    /// Blocks until finished or `timeout` (nil: no limit); the outcome, or false on timeout.
    func block(timeout: Duration?) -> Bool {
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            let nanoseconds = max(0, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
            _ = semaphore.wait(timeout: .now() + .nanoseconds(nanoseconds))
        } else {
            semaphore.wait()
        }
        return state.withLock { $0.outcome } ?? false
    }
}
