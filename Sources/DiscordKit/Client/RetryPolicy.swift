import CurlHTTP
/// When a failed call is tried again. 5xx answers and connection failures are retried with exponential
/// backoff and jitter; 429s are retried after the wait Discord asks for; other 4xx never.
public struct RetryPolicy: Sendable {
    /// Attempts in all for a call that meets 5xx answers or transport failures (1 = no retry).
    public var maxAttempts: Int
    /// How many 429s one call waits out before giving up with a rate-limit error.
    public var maxRateLimitRetries: Int
    /// The backoff before the first retry; it doubles each time, up to `maxDelay`.
    public var baseDelay: Duration
    public var maxDelay: Duration

    /// Statuses that mean "Discord (or a proxy before it) failed; try again".
    public static let retriedStatuses: Set<Int> = [500, 502, 503, 504]

    public init(
        maxAttempts: Int = 3, maxRateLimitRetries: Int = 2, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(4)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxRateLimitRetries = max(0, maxRateLimitRetries)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public static let `default` = RetryPolicy()
    /// One attempt, no waiting out 429s.
    public static let never = RetryPolicy(maxAttempts: 1, maxRateLimitRetries: 0)

    /// The wait before retry number `retry` (1, 2, ...): `min(maxDelay, baseDelay·2^(retry-1))`, of which
    /// a random half is dropped ("equal jitter"), so threads that failed together do not retry together.
    public func delay(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(retry - 1, 0), 20)
        let full = min(maxDelay, baseDelay * (1 << exponent))
        let half = full / 2
        let jitter = Double.random(in: 0...1, using: &generator)
        return half + half * jitter
    }

    /// Whether a transport failure may be retried. A POST that may have reached Discord is not retried
    /// (it could create a second message, or reuse a one-time OAuth code); other methods are idempotent
    /// enough for GuildGate's use.
    func shouldRetry(_ error: HTTPClientError, method: HTTPMethod) -> Bool {
        switch error {
        case .invalidRequest, .unavailable, .responseTooLarge:
            return false
        case .connectionFailed:
            return true
        case .connectionLost, .timedOut, .transferFailed:
            return method != .post || !error.requestMayHaveBeenSent
        }
    }
}
