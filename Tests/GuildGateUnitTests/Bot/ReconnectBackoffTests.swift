import DiscordGateway
import GuildGateTesting
import Testing

@Suite struct ReconnectBackoffTests {
    @Test(arguments: [1, 42, 2026])
    func delaysAreCappedAtAMinuteAndJitteredWithinTheUpperHalfOfTheirStep(seed: UInt64) {
        var backoff = ReconnectBackoff()
        var generator = SeededGenerator(state: seed)
        #expect(backoff.cap == .seconds(60))
        #expect(backoff.nextDelay(using: &generator) == .zero, "the first reconnect is immediate")
        var capped: [Duration] = []
        for failure in 1...200 {
            let delay = backoff.nextDelay(using: &generator)
            let step = failure >= 7 ? Duration.seconds(60) : .seconds(1 << (failure - 1))
            #expect(delay >= step / 2 && delay <= step, "failure \(failure): \(delay) for a step of \(step)")
            if failure >= 7 { capped.append(delay) }
        }
        // Jitter: bots restarted together spread out instead of reconnecting in lockstep.
        #expect(Set(capped).count > capped.count / 2)
        #expect(capped.min()! < .seconds(40) && capped.max()! > .seconds(50), "the jitter does not span its range")
    }

    @Test func aHealthySessionResetsTheBackoff() {
        var backoff = ReconnectBackoff(base: .milliseconds(500), cap: .seconds(5))
        var generator = SeededGenerator(state: 7)
        for _ in 0..<10 { _ = backoff.nextDelay(using: &generator) }
        #expect(backoff.nextDelay(using: &generator) <= .seconds(5))
        backoff.succeeded()
        #expect(backoff.failures == 0)
        #expect(backoff.nextDelay(using: &generator) == .zero)
        let next = backoff.nextDelay(using: &generator)
        #expect(next >= .milliseconds(250) && next <= .milliseconds(500))
    }

    @Test func retryTextSaysWhenTheNextTryIs() {
        #expect(Duration.zero.retryText == "now")
        #expect(Duration.milliseconds(4240).retryText == "in 4.2 s")
        #expect(Duration.seconds(60).retryText == "in 60.0 s")
    }
}
