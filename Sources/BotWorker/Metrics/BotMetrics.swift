import Metrics

/// What the bot counts of its own; the gateway's and Discord's series come from `GatewayMetrics` and
/// `DiscordMetrics`.
enum BotMetrics {
    /// Counter of PRESENCE_UPDATE events from the gateway (`rate()` of it: presence events per second).
    static let presenceEvents = "guildgate_presence_events_total"

    static func presenceEvent() {
        Counter(label: presenceEvents).increment()
    }
}
