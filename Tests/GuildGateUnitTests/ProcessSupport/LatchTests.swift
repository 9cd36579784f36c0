import Dispatch
import ProcessSupport
import Synchronization
import Testing

/// Tests run beside blocking ones on a small pool, so times are bounded loosely: a wait that ends long
/// before its one-minute deadline was ended by the latch.
@Suite struct LatchTests {
    /// `latch.block(timeout:)` on a thread of its own (never on the tasks' pool); its result, once it returns.
    final class BlockingWaiter: Sendable {
        let result = Mutex<Bool?>(nil)
        let returned = Latch()

        init(_ latch: Latch, timeout: Duration) {
            DispatchQueue.global().async { [self] in
                let opened = latch.block(timeout: timeout)
                result.withLock { $0 = opened }
                returned.open()
            }
        }
    }

    /// Each waiter reports `true`: woken by `open()`, not by its deadline. (No wall-clock bound: the suite's
    /// blocking end-to-end tests can hold the cooperative pool's threads for seconds on this 2-core machine.)
    @Test func openingWakesEveryWaiter() async {
        let latch = Latch()
        async let first = latch.wait(until: .now + .seconds(60))
        async let second = latch.wait()
        // A minute: this task may wait that long for a thread of the pool before it opens the latch.
        let thread = BlockingWaiter(latch, timeout: .seconds(60))
        try? await Task.sleep(for: .milliseconds(100))
        #expect(!latch.isOpen)
        latch.open()
        #expect(await first)
        #expect(await second)
        #expect(await thread.returned.wait(until: .now + .seconds(60)))
        #expect(thread.result.withLock { $0 } == true)
        #expect(await latch.wait(until: .now), "an open latch does not wait")
        #expect(latch.block(timeout: .zero))
    }

    @Test func aDeadlineEndsTheWaitWithFalse() async {
        let latch = Latch()
        let started = ContinuousClock.now
        #expect(!(await latch.wait(until: .now + .milliseconds(200))))
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        let thread = BlockingWaiter(latch, timeout: .milliseconds(200))
        #expect(await thread.returned.wait(until: .now + .seconds(10)))
        #expect(thread.result.withLock { $0 } == false)
        #expect(!(await latch.wait(until: .now - .seconds(1))), "a deadline in the past ends the wait at once")
        #expect(!latch.isOpen)
    }

    @Test func cancellingTheTaskEndsItsWait() async {
        let latch = Latch()
        let waiter = Task { await latch.wait() }
        try? await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(!(await waiter.value))
    }
}
