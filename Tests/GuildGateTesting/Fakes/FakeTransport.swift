import CurlHTTP
import DiscordKit

/// An `HTTPTransport` that answers from a script and remembers what was sent, and when (on the manual
/// clock): a Discord that says exactly what the test wants, without a socket.
public final class FakeTransport: HTTPTransport {
    public private(set) var requests: [HTTPRequest] = []
    public private(set) var sentAt: [Duration] = []
    private var script: [Result<HTTPResponse, HTTPClientError>]
    private let clock: ManualClock?

    /// Answers the requests in order with `script`; past its end, with status 599.
    public init(_ script: [Result<HTTPResponse, HTTPClientError>], clock: ManualClock? = nil) {
        self.script = script
        self.clock = clock
    }

    public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        requests.append(request)
        sentAt.append(clock?.now() ?? .zero)
        guard !script.isEmpty else { return HTTPResponse(status: 599, body: Array("no scripted response".utf8)) }
        return try script.removeFirst().get()
    }
}
