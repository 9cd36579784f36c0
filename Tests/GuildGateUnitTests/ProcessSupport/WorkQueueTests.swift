import Foundation
import ProcessSupport
import Synchronization
import Testing

/// No wall-clock bound: every wait is ended by the queue doing its part; `patience` and the time limit only
/// turn a hang into a failure. The short waits check that something has *not* happened yet, which load
/// cannot fake.
@Suite(.timeLimit(.minutes(1))) struct WorkQueueTests {
    static let patience = Duration.seconds(10)

    struct Failure: Error, Equatable {}

    @Test func oneThreadRunsWorkInTheOrderSubmitted() async throws {
        let queue = WorkQueue<Void>(name: "test-order") { _ in }
        let seen = Mutex<[Int]>([])
        let completions = (0..<200).map { number in queue.submit { _ in seen.withLock { $0.append(number) } } }
        queue.close()
        #expect(await queue.join(until: .now + Self.patience))
        #expect(seen.withLock { $0 } == Array(0..<200))
        for completion in completions { try await completion.value }
    }

    @Test func whatWorkReturnsOrThrowsComesBackToTheCaller() async throws {
        let queue = WorkQueue<Int>(name: "test-result") { _ in 41 }
        defer { queue.close() }
        #expect(try queue.submit { $0 + 1 }.wait() == 42)
        #expect(try await queue.submit { $0 - 1 }.value == 40)
        #expect(throws: Failure.self) { try queue.submit { _ in throw Failure() }.wait() }
        await #expect(throws: Failure.self) { try await queue.submit { _ in throw Failure() }.value }
    }

    @Test func workGoesToTheThreadIdleLongest() async throws {
        let queue = WorkQueue<Int>(name: "test-turns", threads: 3, capacity: 1) { $0 }
        defer { queue.close() }
        // With room for one piece, each piece ends before the next is queued: the threads take turns.
        var threads: [Int] = []
        for _ in 0..<7 { threads.append(try await queue.submit { $0 }.value) }
        #expect(threads == [0, 1, 2, 0, 1, 2, 0])
    }

    @Test func threadsRunWorkAtTheSameTime() async throws {
        let queue = WorkQueue<Void>(name: "test-parallel", threads: 4) { _ in }
        defer { queue.close() }
        let started = Mutex(0)
        let allStarted = Latch()
        // Each piece waits for all four to have started, which only threads running at once can do.
        let completions = (0..<4).map { _ in
            queue.submit { _ in
                if started.withLock({ count in
                    count += 1
                    return count
                }) == 4 {
                    allStarted.open()
                }
                return allStarted.block(timeout: Self.patience)
            }
        }
        for completion in completions { #expect(try await completion.value) }
    }

    @Test func eachThreadMakesItsWorkerOnItselfAndKeepsIt() async throws {
        struct Probe {
            let index: Int
            let thread: pthread_t
            var runs = 0
        }
        let made = Mutex(0)
        let queue = WorkQueue<Probe>(name: "test-worker", threads: 3) { index in
            made.withLock { $0 += 1 }
            return Probe(index: index, thread: pthread_self())
        }
        let completions = (0..<30).map { _ in
            queue.submit { probe in
                probe.runs += 1
                return (index: probe.index, onItsThread: pthread_equal(probe.thread, pthread_self()) != 0, runs: probe.runs)
            }
        }
        var results: [(index: Int, onItsThread: Bool, runs: Int)] = []
        for completion in completions { results.append(try await completion.value) }
        queue.close()
        #expect(await queue.join(until: .now + Self.patience))
        #expect(made.withLock { $0 } == 3, "one worker per thread, made once")
        #expect(results.allSatisfy { $0.onItsThread })
        for index in 0..<3 {
            let runs = results.filter { $0.index == index }.map(\.runs)
            #expect(runs == Array(1...runs.count), "thread \(index) did not keep its worker: \(runs)")
        }
    }

    @Test func submitWaitsWhileTheQueueIsFull() async throws {
        let queue = WorkQueue<Void>(name: "test-bound", capacity: 2) { _ in }
        defer { queue.close() }
        let gate = Latch()
        let running = Latch()
        queue.submit { _ in
            running.open()
            gate.block()
        }
        queue.submit { _ in }
        #expect(await running.wait(until: .now + Self.patience))
        let third = Latch()
        OSThread.start(name: "test-submitter") {
            queue.submit { _ in }
            third.open()
        }.detach()
        #expect(!(await third.wait(until: .now + .milliseconds(200))), "a third piece got in while two were queued or running")
        gate.open()
        #expect(await third.wait(until: .now + Self.patience))
    }

    @Test func closingLetsQueuedWorkRunAndRefusesMore() async throws {
        let queue = WorkQueue<Void>(name: "test-close") { _ in }
        let gate = Latch()
        let first = queue.submit { _ in
            gate.block()
            return 1
        }
        let queued = queue.submit { _ in 2 }
        queue.close()
        let late = queue.submit { _ in 3 }
        await #expect(throws: WorkQueueClosed.self) { try await late.value }
        gate.open()
        #expect(try await first.value == 1)
        #expect(try await queued.value == 2)
        #expect(await queue.join(until: .now + Self.patience))
    }

    @Test func closingWhileBusyDiscardsWhatIsQueuedAndLetsTheRunningPieceFinish() async throws {
        let queue = WorkQueue<Void>(name: "test-discard") { _ in }
        let gate = Latch()
        let running = Latch()
        let busy = queue.submit { _ in
            running.open()
            gate.block()
            return "finished"
        }
        let queued = queue.submit { _ in "ran" }
        #expect(await running.wait(until: .now + Self.patience))
        queue.close(discardingQueued: true)
        await #expect(throws: WorkQueueClosed.self) { try await queued.value }
        #expect(!(await queue.join(until: .now + .milliseconds(100))), "the thread ended while its piece was running")
        gate.open()
        #expect(try await busy.value == "finished")
        #expect(await queue.join(until: .now + Self.patience))
    }

    @Test func closingWakesASubmitterWaitingForRoom() async throws {
        let queue = WorkQueue<Void>(name: "test-wake", capacity: 1) { _ in }
        let gate = Latch()
        queue.submit { _ in gate.block() }
        let submitted = Mutex<Completion<Void>?>(nil)
        let returned = Latch()
        OSThread.start(name: "test-submitter") {
            submitted.withLock { $0 = queue.submit { _ in } }
            returned.open()
        }.detach()
        #expect(!(await returned.wait(until: .now + .milliseconds(100))), "submit did not wait for room")
        queue.close(discardingQueued: true)
        #expect(await returned.wait(until: .now + Self.patience))
        let refused = try #require(submitted.withLock { $0 })
        await #expect(throws: WorkQueueClosed.self) { try await refused.value }
        gate.open()
        #expect(await queue.join(until: .now + Self.patience))
    }
}
