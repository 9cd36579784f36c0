import CurlHTTP
import JSONSupport
import Logging
import WireFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Discord's REST API for one thread: cheap to make (per request or per worker thread) from the
/// process-wide ``RateLimiter`` and the thread's own ``HTTPTransport``.
///
/// Every call goes through the rate limiter (it never sends into a bucket it knows is exhausted),
/// retries 5xx answers and connection failures with backoff, waits out 429s within limits, and turns
/// Discord's error bodies into ``DiscordError``. Tokens never reach the logs.
public struct DiscordClient {
    public let configuration: DiscordConfiguration
    let transport: any HTTPTransport
    let rateLimiter: RateLimiter
    let logger: Logger
    let retryPolicy: RetryPolicy

    public init(
        configuration: DiscordConfiguration, transport: any HTTPTransport, rateLimiter: RateLimiter, logger: Logger,
        retryPolicy: RetryPolicy = .default
    ) {
        self.configuration = configuration
        self.transport = transport
        self.rateLimiter = rateLimiter
        self.logger = logger
        self.retryPolicy = retryPolicy
    }

    // MARK: - Generic REST

    /// Sends `route` and returns the 2xx response; any other outcome throws.
    /// - Parameter auditLogReason: shown in the guild's audit log (member, role and message-delete routes).
    @discardableResult
    public func send(
        _ route: Route, body: RequestBody = .empty, authorization: Authorization = .bot, auditLogReason: String? = nil
    ) throws(DiscordError) -> HTTPResponse {
        var headers = HTTPHeaders()
        if let auditLogReason, !auditLogReason.isEmpty {
            headers.add(name: "X-Audit-Log-Reason", value: Self.auditLogHeader(auditLogReason))
        }
        let response: HTTPResponse
        do {
            response = try perform(
                route, url: configuration.apiBase + route.path, body: body, authorization: authorization, extraHeaders: headers)
        } catch {
            throw Self.discordError(error)
        }
        guard response.isSuccess else {
            let error = DiscordError.from(response)
            logger.notice(
                "discord request failed",
                metadata: ["discord.route": "\(route)", "discord.status": "\(response.status)", "error": "\(error)"])
            throw error
        }
        return response
    }

    /// Sends `route` and decodes the 2xx JSON body as `Response`.
    public func send<Response: Decodable>(
        _ route: Route, body: RequestBody = .empty, authorization: Authorization = .bot, auditLogReason: String? = nil,
        as type: Response.Type
    ) throws(DiscordError) -> Response {
        let response = try send(route, body: body, authorization: authorization, auditLogReason: auditLogReason)
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body))
        } catch {
            throw .invalidResponse(status: response.status, reason: "not a \(Response.self) (\(error))")
        }
    }

    /// `X-Audit-Log-Reason`: "1-512 URL-encoded UTF-8 characters" (docs: `resources/audit-log`), so the reason
    /// percent-encoded and cut at a character (never inside an escape) to stay within 512.
    static func auditLogHeader(_ reason: String) -> String {
        var header = ""
        for character in reason {
            let encoded = PercentEncoding.encode(String(character))
            guard header.utf8.count + encoded.utf8.count <= 512 else { break }
            header += encoded
        }
        return header
    }

    /// A 2xx response's body as JSON.
    func json(_ response: HTTPResponse) throws(DiscordError) -> JSON {
        guard let json = JSON.parse(response.body) else { throw .invalidResponse(status: response.status, reason: "not JSON") }
        return json
    }

    // MARK: - The request loop

    enum Failure: Error {
        case notConfigured(String)
        case transport(HTTPClientError)
        case rateLimited(retryAfter: Duration, global: Bool)
        case banned(retryAfter: Duration)
    }

    /// Sends with rate limiting and retries; returns whatever final response came (any status).
    func perform(
        _ route: Route, url: String, body: RequestBody, authorization: Authorization, extraHeaders: HTTPHeaders = [:]
    ) throws(Failure) -> HTTPResponse {
        var headers = extraHeaders
        headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
        var globalIdentity: Int?
        var major = route.majorParameter
        switch authorization.kind {
        case .none:
            break
        case .bot:
            guard let token = configuration.botToken else { throw .notConfigured("DISCORD_BOT_TOKEN is not set") }
            headers.replaceOrAdd(name: "Authorization", value: "Bot " + token)
            globalIdentity = Self.fingerprint(token)
        case .bearer(let token):
            headers.replaceOrAdd(name: "Authorization", value: "Bearer " + token)
            // User-token limits are per user: one person's exhausted bucket must not block another's.
            major += "|user:\(Self.fingerprint(token))"
        case .basic(let clientID, let secret):
            let credentials = Data((clientID + ":" + secret).utf8).base64EncodedString()
            headers.replaceOrAdd(name: "Authorization", value: "Basic " + credentials)
        }
        if let contentType = body.contentType { headers.replaceOrAdd(name: "Content-Type", value: contentType) }
        let request = HTTPRequest(method: route.method.rawValue, url: url, headers: headers, body: body.bytes)
        let key = RateLimitKey(route: route.bucketRoute, major: major, globalIdentity: globalIdentity)

        var logger = self.logger
        logger[metadataKey: "discord.route"] = "\(route)"
        var failures = 0
        var rateLimitRetries = 0
        var waited = Duration.zero
        var generator = SystemRandomNumberGenerator()
        while true {
            try awaitAdmission(route, key, waited: &waited, logger: logger)
            let response: HTTPResponse
            let sent = ContinuousClock.now
            do {
                response = try transport.send(request)
                DiscordMetrics.response(route: route, status: String(response.status), duration: ContinuousClock.now - sent)
            } catch {
                DiscordMetrics.response(route: route, status: DiscordMetrics.transportError, duration: ContinuousClock.now - sent)
                failures += 1
                guard failures < retryPolicy.maxAttempts, retryPolicy.shouldRetry(error, method: route.method) else {
                    logger.warning("discord request failed", metadata: ["error": "\(error)", "discord.attempt": "\(failures)"])
                    throw .transport(error)
                }
                let delay = retryPolicy.delay(beforeRetry: failures, using: &generator)
                logger.notice(
                    "discord request failed; retrying",
                    metadata: [
                        "error": "\(error)", "discord.attempt": "\(failures)", "discord.retry_in": "\(DiscordError.format(delay))",
                    ])
                rateLimiter.clock.sleep(for: delay)
                continue
            }
            switch rateLimiter.record(response, for: key) {
            case .ok:
                break
            case .banned(let pause):
                DiscordMetrics.limited(route: route, scope: "ban")
                logger.error(
                    "discord refused the request with a Cloudflare ban (429 without rate-limit headers); pausing all requests",
                    metadata: [
                        "discord.pause": "\(DiscordError.format(pause))"
                    ])
                throw .banned(retryAfter: pause)
            case .limited(let retryAfter, let global):
                DiscordMetrics.limited(route: route, scope: global ? "global" : "route")
                logger.notice(
                    "discord rate limit hit",
                    metadata: [
                        "discord.retry_after": "\(DiscordError.format(retryAfter))", "discord.global": "\(global)",
                    ])
                guard rateLimitRetries < retryPolicy.maxRateLimitRetries else {
                    throw .rateLimited(retryAfter: retryAfter, global: global)
                }
                rateLimitRetries += 1
                continue  // the limiter now holds the request back for retryAfter
            }
            if RetryPolicy.retriedStatuses.contains(response.status), failures + 1 < retryPolicy.maxAttempts {
                failures += 1
                let delay = retryPolicy.delay(beforeRetry: failures, using: &generator)
                logger.notice(
                    "discord answered a server error; retrying",
                    metadata: [
                        "discord.status": "\(response.status)", "discord.attempt": "\(failures)",
                        "discord.retry_in": "\(DiscordError.format(delay))",
                    ])
                rateLimiter.clock.sleep(for: delay)
                continue
            }
            logger.debug("discord request done", metadata: ["discord.status": "\(response.status)"])
            return response
        }
    }

    /// Blocks until the rate limiter lets the request go, within ``RateLimiter/Configuration/maxWait`` in all.
    private func awaitAdmission(_ route: Route, _ key: RateLimitKey, waited: inout Duration, logger: Logger) throws(Failure) {
        while true {
            switch rateLimiter.admit(key) {
            case .proceed:
                return
            case .reject(let retryAfter, let global):
                logger.notice(
                    "discord request not sent: rate limit resets too late",
                    metadata: [
                        "discord.retry_after": "\(DiscordError.format(retryAfter))", "discord.global": "\(global)",
                    ])
                throw .rateLimited(retryAfter: retryAfter, global: global)
            case .wait(let delay):
                guard waited + delay <= rateLimiter.configuration.maxWait else {
                    throw .rateLimited(retryAfter: delay, global: rateLimiter.globalPauseRemaining != nil)
                }
                logger.debug("waiting for discord rate limit", metadata: ["discord.wait": "\(DiscordError.format(delay))"])
                DiscordMetrics.waited(route: route, for: delay)
                rateLimiter.clock.sleep(for: delay)
                waited += delay
            }
        }
    }

    static func discordError(_ failure: Failure) -> DiscordError {
        switch failure {
        case .notConfigured(let what): return .notConfigured(what)
        case .transport(let error): return .transport(error)
        case .rateLimited(let retryAfter, let global): return .rateLimited(retryAfter: retryAfter, global: global)
        case .banned(let retryAfter): return .cloudflareBan(retryAfter: retryAfter)
        }
    }

    /// A per-process stand-in for a token (never logged, never stored): keys its rate-limit state.
    static func fingerprint(_ token: String) -> Int {
        var hasher = Hasher()
        hasher.combine(token)
        return hasher.finalize()
    }
}
