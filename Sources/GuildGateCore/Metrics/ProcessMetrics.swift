import Metrics
import Prometheus

/// The process's metrics: swift-metrics' backend is one Prometheus registry, which `GET /metrics` (guildgate-web)
/// and the bot's metrics listener write out. Each layer names its own series in its `Metrics` folder
/// (`HTTPMetrics`, `DiscordMetrics`, `GatewayMetrics`, `BotMetrics`, `FileMetrics`); every name starts with
/// `guildgate_`, and labels take only values from a fixed set (route patterns, bucket routes, status codes,
/// job kinds), never a raw path, id or user input.
public enum ProcessMetrics {
    public static let registry = PrometheusCollectorRegistry()

    /// Prometheus' text exposition format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Timers (histograms in seconds) from a millisecond (a page from memory) to a minute (a Discord call
        // that waited out its rate limit and retried).
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(60),
        ]
        MetricsSystem.bootstrap(factory)
    }()

    /// Makes the registry swift-metrics' backend; once per process however often it is called (`Launch` does,
    /// and the in-process tests). A metric made before it records nothing.
    public static func bootstrap() {
        _ = bootstrapped
    }

    /// Every series, in the text exposition format.
    public static func exposition() -> [UInt8] {
        registry.emitToBuffer()
    }
}
