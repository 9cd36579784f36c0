import Foundation
import JSONSupport
import Logging
import Synchronization

/// `LOG_FORMAT=json`: every record as one JSON object on one line —
/// `{"timestamp":"2026-12-07T01:02:03.456Z","level":"info","label":"guildgate-web","message":"…","metadata":{…},
/// "source":"Handlers","file":"Handlers/Application.swift","line":42}` — the metadata nested as logged (a
/// request's `request_id` among it), `error` when the record carries one.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: @Sendable (String) -> Void
    private let clock: @Sendable () -> Date

    /// - Parameter write: takes each line, its line break included (stderr, one write per line, by default).
    public init(
        label: String, write: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.label = label
        output = write
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadataProvider?.get() ?? [:]
        all.merge(metadata) { $1 }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        var fields: [(String, JSON)] = [
            ("timestamp", .string(ISO8601Timestamp.format(clock()))),
            ("level", .string(event.level.rawValue)),
            ("label", .string(label)),
            ("message", .string(event.message.description)),
        ]
        if !all.isEmpty { fields.append(("metadata", Self.json(.dictionary(all)))) }
        if let error = event.error { fields.append(("error", .string("\(error)"))) }
        fields += [("source", .string(event.source)), ("file", .string(event.file)), ("line", .number(Double(event.line)))]
        output(JSON.object(fields).serialized(escapingHTML: false) + "\n")
    }

    private static func json(_ value: Logger.MetadataValue) -> JSON {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let convertible): return .string(convertible.description)
        case .array(let values): return .array(values.map(json))
        case .dictionary(let values): return .object(values.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })
        }
    }

    /// Lines from every thread reach stderr whole: each written to its end before the next begins.
    private static let stderrLock = Mutex(())

    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array(line.utf8)
        stderrLock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
