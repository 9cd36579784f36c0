import Metrics

/// Discord REST calls by their rate-limit route (`Route.bucketRoute`: `POST /channels/{id}/messages`, ids
/// replaced, never a token), and the rate limiter's waits and 429s.
public enum DiscordMetrics {
    /// Counter of responses (every attempt, retries included): `route`, `status` (the HTTP status, or
    /// `transport_error` when none came).
    public static let requests = "guildgate_discord_requests_total"
    /// Histogram in seconds of one attempt, from sending to the response: `route`.
    public static let duration = "guildgate_discord_request_duration_seconds"
    /// Histogram in seconds of the waits for a rate limit before sending (its count: how many): `route`.
    public static let rateLimitWait = "guildgate_discord_rate_limit_wait_seconds"
    /// Counter of 429s: `route`, `scope` (`route`: the bucket's, `global`: the bot token's, `ban`: Cloudflare's).
    public static let rateLimited = "guildgate_discord_rate_limited_total"

    public static let transportError = "transport_error"

    static func response(route: Route, status: String, duration: Duration) {
        Counter(label: requests, dimensions: [("route", route.bucketRoute), ("status", status)]).increment()
        Timer(label: self.duration, dimensions: [("route", route.bucketRoute)]).record(duration: duration)
    }

    static func waited(route: Route, for delay: Duration) {
        Timer(label: rateLimitWait, dimensions: [("route", route.bucketRoute)]).record(duration: delay)
    }

    static func limited(route: Route, scope: String) {
        Counter(label: rateLimited, dimensions: [("route", route.bucketRoute), ("scope", scope)]).increment()
    }
}
