import Testing
@testable import FCGIApp
@testable import Handlers

/// The arithmetic of `BodyPace`: waits spend slack, bytes earn it back, never more than the window.
@Suite struct BodyPaceTests {
    let pace = BodyPace(minimumRate: 1000, window: .seconds(20))

    @Test func aTrickleRunsOutWithinAboutTheWindow() {
        var slack = BodyPace.Slack(pace: pace)
        var waited = 0
        // Five bytes every two seconds.
        while !slack.isSpent, waited < 100 {
            slack.waited(.seconds(2))
            slack.received(5)
            waited += 2
        }
        #expect(slack.isSpent)
        #expect((20...22).contains(waited))
        #expect(slack.exceeded == .tooSlow(minimumRate: 1000, windowSeconds: 20))
    }

    @Test func theMinimumRateKeepsTheSlackAndCreditIsCapped() {
        var slack = BodyPace.Slack(pace: pace)
        for _ in 0..<100 {
            slack.waited(.seconds(1))
            slack.received(1000)
        }
        #expect(slack.remaining == .seconds(20))
        slack.received(1_000_000_000)
        #expect(slack.remaining == .seconds(20), "a fast start must not buy a long trickle later")
        slack.waited(.seconds(20))
        #expect(slack.isSpent)
    }
}
