@testable import DiscordKit
import Logging
import Synchronization
import Testing

/// A clock that only moves when someone sleeps on it (or a test advances it): waiting is instant and visible.
final class DKManualClock: BlockingClock {
    private let state = Mutex<(now: Duration, sleeps: [Duration])>((.seconds(1000), []))

    func now() -> Duration { state.withLock { $0.now } }

    func sleep(for duration: Duration) {
        state.withLock {
            $0.now += duration
            $0.sleeps.append(duration)
        }
    }

    func advance(_ duration: Duration) { state.withLock { $0.now += duration } }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }
    var totalSlept: Duration { sleeps.reduce(.zero, +) }
}

/// Answers requests from a script and remembers what was sent, and when (on the manual clock).
final class DKFakeTransport: HTTPTransport {
    private(set) var requests: [HTTPRequest] = []
    private(set) var sentAt: [Duration] = []
    private var script: [Result<HTTPResponse, HTTPClientError>]
    private let clock: DKManualClock?

    init(_ script: [Result<HTTPResponse, HTTPClientError>], clock: DKManualClock? = nil) {
        self.script = script
        self.clock = clock
    }

    func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        requests.append(request)
        sentAt.append(clock?.now() ?? .zero)
        guard !script.isEmpty else { return HTTPResponse(status: 599, body: Array("no scripted response".utf8)) }
        return try script.removeFirst().get()
    }
}

/// Collects log records so tests can check what was (not) logged.
final class DKLogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        var logger = Logger(label: "test.discordkit") { _ in DKCaptureHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct DKCaptureHandler: LogHandler {
    let capture: DKLogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append(
            "\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}

enum DK {
    static let botToken = "BOT.TOKEN.super-secret"
    static let clientSecret = "client-secret-xyz"

    static func response(_ status: Int, _ body: String = "", headers: HTTPHeaders = [:]) -> Result<HTTPResponse, HTTPClientError> {
        .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> Result<HTTPResponse, HTTPClientError> {
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        return response(status, body, headers: headers)
    }

    static func bucketHeaders(_ hash: String?, limit: Int, remaining: Int, resetAfter: Double) -> HTTPHeaders {
        var headers: HTTPHeaders = [
            "X-RateLimit-Limit": String(limit), "X-RateLimit-Remaining": String(remaining),
            "X-RateLimit-Reset-After": String(resetAfter),
        ]
        if let hash { headers.add(name: "X-RateLimit-Bucket", value: hash) }
        return headers
    }

    static func configuration(botToken: String? = DK.botToken, clientID: String? = "1234", clientSecret: String? = DK.clientSecret)
        -> DiscordConfiguration
    {
        DiscordConfiguration(apiBase: "http://127.0.0.1:9/api/v10/", botToken: botToken, clientID: clientID, clientSecret: clientSecret)
    }

    static func client(
        _ transport: DKFakeTransport, clock: DKManualClock, configuration: DiscordConfiguration = DK.configuration(),
        limiter: RateLimiter? = nil, maxWait: Duration = .seconds(10), logger: Logger? = nil
    ) -> DiscordClient {
        DiscordClient(
            configuration: configuration, transport: transport,
            rateLimiter: limiter ?? RateLimiter(configuration: .init(maxWait: maxWait), clock: clock),
            logger: logger ?? Logger(label: "test.discordkit") { _ in SwiftLogNoOpLogHandler() })
    }
}

/// Groups the DiscordKit tests: `swift test --filter DiscordKit` runs them all.
@Suite enum DiscordKitTests {}
