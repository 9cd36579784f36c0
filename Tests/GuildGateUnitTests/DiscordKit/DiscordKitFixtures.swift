@testable import DiscordKit
import CurlHTTP
import GuildGateTesting
import Logging
import Testing

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
        _ transport: FakeTransport, clock: ManualClock, configuration: DiscordConfiguration = DK.configuration(),
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
