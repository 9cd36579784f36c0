/// One HTTP request for an ``HTTPTransport``. The body is sent as is (empty = no body for GET/DELETE).
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ... (sent verbatim; must be a token without spaces).
    public var method: String
    /// An absolute `http://` or `https://` URL.
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Overrides the transport's total timeout for this request (a large upload, a slow endpoint).
    public var timeout: Duration?

    public init(method: String, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [], timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public init(method: String, url: String, headers: [(name: String, value: String)], body: [UInt8] = [], timeout: Duration? = nil) {
        self.init(method: method, url: url, headers: HTTPHeaders(headers), body: body, timeout: timeout)
    }
}

/// A complete response: status, headers of the final response (not of a `100 Continue`), body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// Sends one request and waits for the whole response, on the calling thread. Implementations are used
/// by one thread at a time (``HTTPClient`` keeps a connection open between calls).
public protocol HTTPTransport {
    func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse
}

/// Why no HTTP response came back. `host` is `host[:port]` only: URLs are never included, since paths and
/// queries can carry tokens (webhook and interaction routes).
public enum HTTPClientError: Error, Equatable, CustomStringConvertible {
    /// The request could not be built: a malformed URL, an unsupported scheme, a header with a line break.
    case invalidRequest(String)
    /// No connection was made (name resolution, refused, TLS handshake): the request was not sent.
    case connectionFailed(host: String, reason: String)
    /// The connection broke after the request was (perhaps partly) sent: the server may have acted on it.
    case connectionLost(host: String, reason: String)
    /// No complete response within `seconds`. `requestSent` tells whether the server may have acted on it.
    case timedOut(host: String, seconds: Double, requestSent: Bool)
    /// The response body exceeded the client's limit; the transfer was stopped.
    case responseTooLarge(limit: Int)
    /// libcurl could not be initialised (out of memory, missing TLS backend).
    case unavailable(String)
    /// Any other transfer failure, with libcurl's error code and message.
    case transferFailed(code: Int, reason: String)

    /// Whether the server can have received (and acted on) the request.
    public var requestMayHaveBeenSent: Bool {
        switch self {
        case .invalidRequest, .connectionFailed, .unavailable: return false
        case .timedOut(_, _, let sent): return sent
        case .connectionLost, .responseTooLarge, .transferFailed: return true
        }
    }

    public var description: String {
        switch self {
        case .invalidRequest(let reason):
            return "The HTTP request is invalid: \(reason)."
        case .connectionFailed(let host, let reason):
            return "Could not connect to \(host): \(reason). Check the URL setting and that the service is reachable from this machine."
        case .connectionLost(let host, let reason):
            return "The connection to \(host) broke before a complete response arrived: \(reason)."
        case .timedOut(let host, let seconds, let sent):
            let what = sent ? "no complete response" : "no connection"
            return "Request to \(host) timed out: \(what) after \(Self.format(seconds)) s."
        case .responseTooLarge(let limit):
            return "The response is larger than the \(limit)-byte limit; the transfer was stopped."
        case .unavailable(let reason):
            return "The HTTP client (libcurl) is unavailable: \(reason)."
        case .transferFailed(let code, let reason):
            return "HTTP transfer failed (curl error \(code)): \(reason)."
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String((seconds * 10).rounded() / 10)
    }
}
