import Metrics

/// guildgate-web's request series, by the route pattern the router matched (`/api/files/{id}`: one series per
/// route however many ids are asked for, never the raw path), the route's method and the status answered.
public enum HTTPMetrics {
    /// Counter: `method`, `route`, `status`.
    public static let requests = "guildgate_http_requests_total"
    /// Histogram in seconds, until the response head is ready (a streamed body's transfer is counted in
    /// `FileMetrics`' bytes, not here): `method`, `route`.
    public static let duration = "guildgate_http_request_duration_seconds"
    /// The `route` of a request no route matched (404, 405) or that could not be parsed.
    public static let unmatched = "unmatched"
    /// The `status` of a request whose client went away before it was answered (nginx's own code for it).
    public static let clientGone = "499"

    /// The `method` of a request whose method is not a standard one, or could not be parsed.
    public static let otherMethod = "other"

    private static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

    /// The `method` label: the route's, or for an unmatched request its own when standard, else `other`.
    static func method(route: Router.Route?, request method: String) -> String {
        route?.method ?? (methods.contains(method) ? method : otherMethod)
    }

    /// One worker thread's handles of these series (`Services.httpMetrics`, never shared): the registry, behind
    /// one lock for the whole process, is asked once per route and status rather than on every request.
    final class Recorder {
        private struct Series: Hashable {
            let method: String
            let route: String
        }

        private var counters: [Series: [String: Counter]] = [:]
        private var timers: [Series: Timer] = [:]

        func record(method: String, route: String, status: String, duration: Duration) {
            let series = Series(method: method, route: route)
            if let counter = counters[series]?[status] {
                counter.increment()
            } else {
                let counter = Counter(label: requests, dimensions: [("method", method), ("route", route), ("status", status)])
                counters[series, default: [:]][status] = counter
                counter.increment()
            }
            if let timer = timers[series] {
                timer.record(duration: duration)
            } else {
                let timer = Timer(label: HTTPMetrics.duration, dimensions: [("method", method), ("route", route)])
                timers[series] = timer
                timer.record(duration: duration)
            }
        }
    }
}
