import JSONSupport
/// Writes a streamed response body; throws when the client has gone away.
public protocol ResponseBodyWriter {
    func write(_ bytes: UnsafeRawBufferPointer) throws(ResponseWriteError)
    func flush() throws(ResponseWriteError)
}

public enum ResponseWriteError: Error, Equatable {
    case clientDisconnected
    /// The handler could not produce the rest of a streamed body: the response must end as broken, not
    /// as complete and short.
    case aborted
}

/// An HTTP response: status, headers and a body held in memory or streamed.
public struct Response {
    public enum Body {
        case bytes([UInt8])
        case stream((ResponseBodyWriter) throws -> Void)
    }

    public var status: HTTPStatus
    public var headers: [(String, String)]
    public var body: Body

    public init(status: HTTPStatus = .ok, headers: [(String, String)] = [], body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ value: JSON, status: HTTPStatus = .ok) -> Response {
        Response(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")],
            body: .bytes(Array(value.serialized.utf8)))
    }

    public static func html(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: .bytes(Array(text.utf8)))
    }

    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: .bytes(Array(text.utf8)))
    }

    /// A redirect; `location` must already be a safe, encoded URL.
    public static func redirect(to location: String, status: HTTPStatus = .found) -> Response {
        Response(status: status, headers: [("Location", location)])
    }

    public mutating func addHeader(_ name: String, _ value: String) {
        headers.append((name, value))
    }
}
