import JSONSupport
import NIOCore
import NIOHTTP1

/// What the sandbox sends back for one request. `Content-Length` and `Connection` are set by the server.
struct SandboxResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer

    init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ value: JSON, status: HTTPResponseStatus = .ok) -> SandboxResponse {
        var body = ByteBuffer()
        body.writeString(value.text)
        return SandboxResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    static func redirect(to location: String) -> SandboxResponse {
        SandboxResponse(status: .found, headers: ["Location": location])
    }
}

/// A response thrown from deep inside a handler: the 4xx it ends in.
struct HTTPError: Error {
    let response: SandboxResponse

    init(_ status: HTTPResponseStatus, json: JSON) {
        response = .json(json, status: status)
    }
}
