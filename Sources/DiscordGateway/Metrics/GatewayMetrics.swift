import Metrics

/// The gateway session's state and heartbeat.
public enum GatewayMetrics {
    /// Gauge, one series per `state`: 1 for the state the session is in, 0 for the others.
    public static let state = "guildgate_discord_gateway_state"
    /// Histogram in seconds: the round trips of acknowledged heartbeats.
    public static let heartbeatLatency = "guildgate_discord_gateway_heartbeat_latency_seconds"

    public enum State: String, CaseIterable, Sendable {
        /// Opening the WebSocket, identifying or resuming.
        case connecting
        /// READY or RESUMED came: events flow.
        case connected
        /// Between connections (backing off), or stopped.
        case disconnected
    }

    static func entered(_ current: State) {
        for candidate in State.allCases {
            Gauge(label: state, dimensions: [("state", candidate.rawValue)]).record(candidate == current ? 1 : 0)
        }
    }

    static func acknowledged(latency: Duration) {
        Timer(label: heartbeatLatency).record(duration: latency)
    }
}
