@testable import DiscordKit
import CurlHTTP
import Foundation
import Logging
import NIOHTTP1
import Synchronization

/// DiscordKit's blocking transport onto the in-process sandbox: the calling thread (never one of the
/// concurrency pool's, see `withDiscordClient`) waits while the sandbox's responder answers on the pool.
struct InProcessTransport: HTTPTransport {
    static let apiBase = "http://sandbox.invalid/api/v10"

    let sandbox: InProcessSandbox

    func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        guard request.url.hasPrefix("http://sandbox.invalid/") else { throw .invalidRequest("not the sandbox: \(request.url)") }
        let target = String(request.url.dropFirst("http://sandbox.invalid".count))
        let headers = request.headers.map { ($0.name, $0.value) }
        let answered = DispatchSemaphore(value: 0)
        let answer = AnswerBox()
        Task { [sandbox, body = request.body] in
            let response = await sandbox.send(NIOHTTP1.HTTPMethod(rawValue: request.method), target, headers: headers, body: body)
            answer.value.withLock { $0 = response }
            answered.signal()
        }
        answered.wait()
        guard let response = answer.value.withLock({ $0 }), response.status != 0 else {
            throw .connectionLost(host: "sandbox.invalid", reason: "reset")
        }
        return HTTPResponse(
            status: response.status, headers: CurlHTTP.HTTPHeaders(response.headers.map { (name: $0.name, value: $0.value) }),
            body: response.body)
    }
}

/// Where the pool's task leaves the sandbox's answer for the waiting thread.
private final class AnswerBox: Sendable {
    let value = Mutex<InProcessSandbox.Answer?>(nil)
}

extension InProcessSandbox {
    /// Runs `body` with a DiscordKit client of the bot talking to this sandbox (a rate limiter of its own, the
    /// default retry policy), on a thread of its own: its calls block, and the pool stays free to answer them.
    func withDiscordClient<Value: Sendable>(_ body: @escaping @Sendable (DiscordClient) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { [self] in
                let client = DiscordClient(
                    configuration: DiscordConfiguration(apiBase: InProcessTransport.apiBase, botToken: "sandbox-bot-token"),
                    transport: InProcessTransport(sandbox: self), rateLimiter: RateLimiter(),
                    logger: Logger(label: "test.discordkit") { _ in SwiftLogNoOpLogHandler() })
                continuation.resume(with: Result { try body(client) })
            }
        }
    }
}
