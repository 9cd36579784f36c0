/// A transport whose requests all end by one deadline: each gets at most the time left, and once it has
/// passed none is sent. For work a person waits on (a page that asks Discord several things), so a slow
/// Discord costs the page its budget and no more.
public struct DeadlineTransport: HTTPTransport {
    let base: any HTTPTransport
    let budget: Duration
    let deadline: ContinuousClock.Instant
    let clock = ContinuousClock()

    /// - Parameters:
    ///   - base: the transport that sends.
    ///   - budget: how long all requests through this transport may take together, from now.
    public init(_ base: any HTTPTransport, budget: Duration) {
        self.base = base
        self.budget = budget
        deadline = clock.now.advanced(by: budget)
    }

    public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        let left = clock.now.duration(to: deadline)
        guard left > .milliseconds(1) else {
            throw .timedOut(host: HTTPClient.hostAndPort(of: request.url), seconds: Double(budget.components.seconds), requestSent: false)
        }
        var bounded = request
        bounded.timeout = min(request.timeout ?? left, left)
        return try base.send(bounded)
    }
}
