import Foundation

/// Blocking work (libpq, libcurl, scrypt) run on threads of the queue's own, in the order it is submitted.
///
/// Each thread makes its `Worker` (a database connection, an HTTP client: whatever must stay on one
/// thread) on itself as it starts, and lends it to every piece of work it runs. A piece goes to the
/// thread idle longest, so with threads to spare successive pieces go to the threads in turn. At most
/// `capacity` pieces are queued or running at once: ``submit(_:)`` waits for room, which bounds what the
/// queue holds whatever its producers do.
///
/// The threads run until ``close(discardingQueued:)``; a queue never closed lasts as long as the process.
/// (swift-nio's `NIOThreadPool` is the same idea without a bound, per-thread state, or a result a thread
/// can block on, which the FastCGI threads need.)
public final class WorkQueue<Worker>: @unchecked Sendable {
    private struct Work {
        let run: @Sendable (inout Worker) -> Void
        let discard: @Sendable () -> Void
    }

    private let capacity: Int
    private let ended = Latch()
    /// Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var queued: [Work] = []
    /// What each thread has been handed and not yet taken.
    private var handed: [Work?]
    /// Threads waiting for work, the one waiting longest first.
    private var idle: [Int]
    /// Pieces queued, handed or running.
    private var unfinished = 0
    private var closed = false
    private var threadsLeft: Int

    /// Starts `threads` threads named after `name`; each calls `makeWorker` with its index (0 up) first.
    public init(name: String, threads: Int = 1, capacity: Int = .max, makeWorker: @escaping @Sendable (_ thread: Int) -> Worker) {
        precondition(threads > 0 && capacity > 0, "a work queue needs a thread and room for a piece of work")
        self.capacity = capacity
        handed = Array(repeating: nil, count: threads)
        idle = Array(0..<threads)
        threadsLeft = threads
        for index in 0..<threads {
            OSThread.start(name: threads == 1 ? name : "\(name)-\(index)") { [self] in
                serve(index, worker: makeWorker(index))
            }.detach()
        }
    }

    /// Queues `work`, first waiting while `capacity` pieces are queued or running (so a task submits
    /// only to a queue without a bound). Once the queue is closed, `work` never runs: its completion
    /// fails with ``WorkQueueClosed``.
    @discardableResult
    public func submit<Value: Sendable>(_ work: @escaping @Sendable (inout Worker) throws -> Value) -> Completion<Value> {
        let completion = Completion<Value>()
        let item = Work(
            run: { worker in completion.finish(Result { try work(&worker) }) },
            discard: { completion.finish(.failure(WorkQueueClosed())) })
        condition.lock()
        while unfinished >= capacity, !closed { condition.wait() }
        guard !closed else {
            condition.unlock()
            item.discard()
            return completion
        }
        unfinished += 1
        if idle.isEmpty {
            queued.append(item)
        } else {
            handed[idle.removeFirst()] = item
            condition.broadcast()
        }
        condition.unlock()
        return completion
    }

    /// Takes no more work; each thread ends once the work queued is done, or, `discardingQueued`, once
    /// the piece it is running is (what was queued fails with ``WorkQueueClosed``). Returns at once.
    public func close(discardingQueued: Bool = false) {
        condition.lock()
        closed = true
        let discarded = discardingQueued ? queued : []
        if discardingQueued {
            unfinished -= queued.count
            queued.removeAll()
        }
        condition.broadcast()
        condition.unlock()
        discarded.forEach { $0.discard() }
    }

    /// Blocks the calling thread (never a task, nor one of the queue's) until every thread has ended.
    public func join() {
        ended.block()
    }

    /// Waits until every thread has ended (true) or `deadline` passes (false).
    public func join(until deadline: ContinuousClock.Instant) async -> Bool {
        await ended.wait(until: deadline)
    }

    private func serve(_ index: Int, worker: consuming Worker) {
        var worker = worker
        var work = next(for: index, finishedOne: false)
        while let piece = work {
            piece.run(&worker)
            work = next(for: index, finishedOne: true)
        }
    }

    /// The next piece for thread `index`, waiting for one; nil when the queue is closed and the thread ends.
    private func next(for index: Int, finishedOne: Bool) -> Work? {
        condition.lock()
        if finishedOne {
            unfinished -= 1
            if queued.isEmpty { idle.append(index) } else { handed[index] = queued.removeFirst() }
            condition.broadcast()
        }
        while handed[index] == nil, !closed { condition.wait() }
        let work = handed[index]
        handed[index] = nil
        if work == nil { threadsLeft -= 1 }
        let last = work == nil && threadsLeft == 0
        condition.unlock()
        if last { ended.open() }
        return work
    }
}

/// Why work handed to a ``WorkQueue`` did not run: the queue was closed first.
public struct WorkQueueClosed: Error, CustomStringConvertible {
    public var description: String { "the work queue was closed before this work ran" }
}
