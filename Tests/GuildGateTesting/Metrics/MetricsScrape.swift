import GuildGateCore

/// One scrape in Prometheus' text format, read series by series: `value(of: #"name{label="v"}"#)`.
public struct MetricsScrape: Sendable {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    /// This process's registry now; the first call makes it swift-metrics' backend (`ProcessMetrics`), so a
    /// test takes one before recording anything.
    public static func inProcess() -> MetricsScrape {
        ProcessMetrics.bootstrap()
        return MetricsScrape(String(decoding: ProcessMetrics.exposition(), as: UTF8.self))
    }

    /// The sample of exactly this series (name and labels as written out), or nil when there is none.
    public func value(of series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// The names of every series family (`# TYPE` lines).
    public var families: [String] {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("# TYPE ") ? line.split(separator: " ").dropFirst(2).first.map(String.init) : nil
        }
    }
}
