import CFastCGI
import Foundation
import Handlers
import Logging

/// One request on a worker thread: CGI params in, the application's response out.
struct FastCGIExchange {
    private let request: UnsafeMutablePointer<FCGX_Request>
    private let pace: BodyPace
    private let logger: Logger

    init(request: UnsafeMutablePointer<FCGX_Request>, pace: BodyPace, logger: Logger) {
        self.request = request
        self.pace = pace
        self.logger = logger
    }

    /// Answers the request. False when the connection must not carry another request: the body was not
    /// read to its end, or the response broke off.
    func serve(application: Application, services: Services) -> Bool {
        let params = Self.params(request.pointee.envp)
        let descriptor = request.pointee.ipcFd
        let body = FastCGIBody(stream: request.pointee.in, connection: descriptor, pace: pace)
        let rawURI = params["REQUEST_URI"] ?? ""
        let connection = FastCGIConnection(descriptor: descriptor)
        let answer: Response?
        do throws(HTTPError) {
            let parsed = try Self.request(from: params, body: body, connection: connection)
            answer = application.respond(to: parsed, services: services)
        } catch {
            answer = application.respond(to: error, rawPath: rawURI, requestID: params["REQUEST_ID"], services: services)
        }
        guard let response = answer else { return false }
        let writer = FastCGIWriter(stream: request.pointee.out, connection: descriptor)
        let omitBody = params["REQUEST_METHOD"] == "HEAD"
        do {
            try write(response, to: writer, omitBody: omitBody)
        } catch .aborted {
            // The client must see a broken transfer, not a short body it could take for the whole. A close
            // without END_REQUEST is not enough: nginx (1.22, unbuffered) takes it for the end of the
            // response and keeps the client's connection open until its keepalive timeout. A record it
            // refuses makes it drop the client's connection at once.
            writer.breakOff()
            shutdown(descriptor, Int32(SHUT_RDWR))
            return false
        } catch {
            logger.notice(
                "client went away during the response", metadata: ["path": "\(rawURI)", "request_id": "\(Self.requestID(response))"])
            return false
        }
        // The rest of a body the handler did not read would be taken for the next request on a kept-alive
        // connection. What has already arrived (a GET's empty body, a small form) is read to its end; a
        // body still on its way (an upload refused with 401) is not waited for: the connection is closed
        // after the response instead, so a slow client cannot hold this thread.
        return body.discardArrived(limit: 64 * 1024)
    }

    /// The CGI params the application reads: the request line, the body's type and length, the
    /// client address and the `HTTP_*` headers. A value that is not UTF-8 is left out (and the request
    /// then lacks it). The scan works on bytes: it runs for every request.
    static func params(_ envp: FCGX_ParamArray?) -> [String: String] {
        var params: [String: String] = [:]
        guard var cursor = envp else { return params }
        while let entry = cursor.pointee {
            cursor += 1
            guard let equals = strchr(entry, Int32(UInt8(ascii: "="))) else { continue }
            let name = String(decoding: UnsafeRawBufferPointer(start: entry, count: equals - entry), as: UTF8.self)
            guard name.hasPrefix("HTTP_") || wantedParams.contains(name), params[name] == nil,
                let value = String(validatingCString: equals + 1)
            else { continue }
            params[name] = value
        }
        return params
    }

    private static let wantedParams: Set<String> = [
        "REQUEST_METHOD", "REQUEST_URI", "REMOTE_ADDR", "REQUEST_ID", "CONTENT_TYPE", "CONTENT_LENGTH",
    ]

    /// The id the application answered with, for this layer's own log lines about the response.
    private static func requestID(_ response: Response) -> String {
        response.headers.last { $0.0 == RequestID.header }?.1 ?? ""
    }

    static func request(
        from params: [String: String], body: FastCGIBody, connection: FastCGIConnection
    ) throws(HTTPError) -> Request {
        guard let method = params["REQUEST_METHOD"], !method.isEmpty else {
            throw .badRequest("The request has no method.")
        }
        guard let uri = params["REQUEST_URI"], !uri.isEmpty else {
            throw .badRequest("The request URI is missing or not valid UTF-8.")
        }
        var headers: [String: String] = [:]
        for (name, value) in params where name.hasPrefix("HTTP_") {
            headers[headerName(cgiName: name)] = value
        }
        if let type = params["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        if let length = params["CONTENT_LENGTH"], !length.isEmpty {
            guard Int(length).map({ $0 >= 0 }) == true else { throw .badRequest("Content-Length is not a number.") }
            headers["content-length"] = length
        }
        return try Request(
            method: method, requestURI: uri, headers: headers, remoteAddress: params["REMOTE_ADDR"] ?? "",
            requestID: params["REQUEST_ID"], body: body, connection: connection)
    }

    /// `HTTP_X_FORWARDED_FOR` → `x-forwarded-for` (nginx upper-cases names and turns `-` into `_`).
    static func headerName(cgiName: String) -> String {
        String(
            decoding: cgiName.utf8.dropFirst(5).map { byte -> UInt8 in
                switch byte {
                case UInt8(ascii: "_"): return UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte + 32
                default: return byte
                }
            }, as: UTF8.self)
    }

    private func write(_ response: Response, to writer: FastCGIWriter, omitBody: Bool) throws(ResponseWriteError) {
        var head = "Status: \(response.status.code) \(response.status.reason)\r\n"
        for (name, value) in response.headers {
            head += "\(name): \(Self.headerSafe(value))\r\n"
        }
        switch response.body {
        case .bytes(let bytes):
            head += "Content-Length: \(bytes.count)\r\n\r\n"
            try writer.write(string: head)
            if !omitBody { try writer.write(bytes: bytes) }
            // FCGX_Finish_r flushes it together with END_REQUEST: one write for the whole response.
            return
        case .stream(let produce):
            head += "\r\n"
            try writer.write(string: head)
            guard !omitBody else { return }
            do {
                try produce(writer)
            } catch let error as ResponseWriteError {
                throw error
            } catch {
                logger.error("response stream failed", metadata: ["error": "\(error)", "request_id": "\(Self.requestID(response))"])
                throw .aborted
            }
        }
        try writer.flush()
    }

    /// Header values never carry CR or LF (no response splitting, whatever a handler put there).
    private static func headerSafe(_ value: String) -> String {
        value.contains(where: { $0 == "\r" || $0 == "\n" })
            ? value.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "") : value
    }
}

/// The request body, read from FCGI_STDIN as it streams in, at the pace `BodyPace` demands.
final class FastCGIBody: RequestBodyStream {
    private let stream: UnsafeMutablePointer<FCGX_Stream>?
    private let connection: Int32
    private var slack: BodyPace.Slack
    private(set) var reachedEnd = false

    init(stream: UnsafeMutablePointer<FCGX_Stream>?, connection: Int32, pace: BodyPace) {
        self.stream = stream
        self.connection = connection
        slack = BodyPace.Slack(pace: pace)
    }

    /// Returns what has arrived, up to `buffer.count` bytes, waiting only while nothing has: a slow client
    /// is never waited on for a whole buffer (FCGX_GetStr would), so its pace is checked on every read.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RequestBodyError) -> Int {
        guard !reachedEnd, let stream, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var filled = 0
        reading: while filled < buffer.count, !reachedEnd {
            if Self.buffered(stream) == 0 {
                // More than has arrived is never waited for; libfcgi is asked again only when the socket
                // has more (an attempt that finds nothing would leave an error on its stream).
                guard filled == 0 || Self.isReadable(connection) else { break reading }
                switch try next(stream, wait: true) {
                case .byte(let byte):
                    bytes[filled] = byte
                    filled += 1
                case .end:
                    reachedEnd = true
                case .notYet:
                    break reading
                }
                continue reading
            }
            // Served from libfcgi's buffer: never blocks.
            let count = min(buffer.count - filled, Self.buffered(stream))
            _ = FCGX_GetStr(UnsafeMutableRawPointer(bytes + filled).assumingMemoryBound(to: CChar.self), Int32(count), stream)
            filled += count
        }
        slack.received(filled)
        return filled
    }

    /// Reads and discards the rest of the body as far as it has already arrived, up to `limit` bytes,
    /// never waiting for the client; true when the end was reached.
    func discardArrived(limit: Int) -> Bool {
        guard let stream else { return true }
        var discarded = 0
        while !reachedEnd, discarded <= limit {
            let buffered = Self.buffered(stream)
            if buffered > 0 {
                var scratch = [UInt8](repeating: 0, count: min(buffered, 8192))
                discarded += Int(FCGX_GetStr(&scratch, Int32(scratch.count), stream))
                continue
            }
            switch try? next(stream, wait: false) {
            case .byte: discarded += 1
            case .end: reachedEnd = true
            case .notYet, nil: return false
            }
        }
        return reachedEnd
    }

    private enum Next {
        case byte(UInt8)
        case end
        /// Nothing has arrived (only when not waiting).
        case notYet
    }

    /// The next byte of the body, refilling libfcgi's buffer: waiting as long as the body's slack allows,
    /// or not at all. libfcgi may hold more records than its buffer shows (the empty STDIN record that
    /// ends a body often came with the params), so only a read through it can tell; one that finds
    /// nothing leaves an error on libfcgi's stream, and the body can no longer be read.
    private func next(_ stream: UnsafeMutablePointer<FCGX_Stream>, wait: Bool) throws(RequestBodyError) -> Next {
        let open = stream.pointee.isClosed == 0
        let flags = fcntl(connection, F_GETFL)
        if open, wait {
            guard !slack.isSpent else { throw slack.exceeded }
            BodyPace.limitReads(on: connection, to: slack.remaining)
        } else if open {
            _ = fcntl(connection, F_SETFL, flags | O_NONBLOCK)
        }
        let started = ContinuousClock.now
        let byte = FCGX_GetChar(stream)
        if open, wait {
            slack.waited(ContinuousClock.now - started)
        } else if open {
            _ = fcntl(connection, F_SETFL, flags)
        }
        if byte >= 0 { return .byte(UInt8(byte)) }
        // EOF: the end of the body, or an error (nothing there, the wait timed out, nginx closed the
        // connection mid-body). An error stays on libfcgi's stream: the connection is closed after the response.
        switch FCGX_GetError(stream) {
        case 0: return .end
        case EAGAIN, EWOULDBLOCK: if wait { throw slack.exceeded } else { return .notYet }
        default: throw .aborted
        }
    }

    private static func isReadable(_ descriptor: Int32) -> Bool {
        var probe = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&probe, 1, 0) == 1
    }

    /// Body bytes in libfcgi's buffer, readable without a system call.
    private static func buffered(_ stream: UnsafeMutablePointer<FCGX_Stream>) -> Int {
        guard let next = stream.pointee.rdNext, let stop = stream.pointee.stop else { return 0 }
        return max(0, stop - next)
    }
}

/// Writes FCGI_STDOUT; a failed flush means nginx closed the connection because the client left.
struct FastCGIWriter: ResponseBodyWriter {
    let stream: UnsafeMutablePointer<FCGX_Stream>?
    let connection: Int32

    func write(string: String) throws(ResponseWriteError) {
        try write(bytes: Array(string.utf8))
    }

    func write(bytes: [UInt8]) throws(ResponseWriteError) {
        do {
            try bytes.withUnsafeBytes { try write($0) }
        } catch {
            throw .clientDisconnected
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ResponseWriteError) {
        guard let stream else { throw .clientDisconnected }
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 1 << 30)
            let written = FCGX_PutStr(base.advanced(by: offset).assumingMemoryBound(to: CChar.self), Int32(chunk), stream)
            guard written == chunk else { throw .clientDisconnected }
            offset += chunk
        }
    }

    func flush() throws(ResponseWriteError) {
        guard let stream, FCGX_FFlush(stream) == 0 else { throw .clientDisconnected }
    }

    /// Sends what is buffered, then a record of FastCGI version 0, which nginx refuses as a protocol error.
    func breakOff() {
        if let stream { _ = FCGX_FFlush(stream) }
        let refused = [UInt8](repeating: 0, count: 8)
        _ = refused.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

/// The FastCGI connection from nginx. nginx closes it when its client goes away (with the default
/// `fastcgi_ignore_client_abort off`), which a zero-timeout poll sees as hang-up.
final class FastCGIConnection: ClientConnection {
    private let descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Linux's POLLRDHUP (peer closed its end), which Glibc only declares under _GNU_SOURCE.
    private static let readHangUp: Int16 = 0x2000

    var isClosed: Bool {
        var probe = pollfd(fd: descriptor, events: Self.readHangUp, revents: 0)
        guard poll(&probe, 1, 0) == 1 else { return false }
        return probe.revents & (Self.readHangUp | Int16(POLLHUP | POLLERR)) != 0
    }
}
