import CCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A blocking HTTP/1.1 client over one libcurl easy handle, reused between requests so the connection to
/// Discord stays open. **Not thread-safe**: each thread owns its own `HTTPClient` (as each FastCGI worker
/// thread owns its database connection). Redirects are never followed; the response is returned as is.
public final class HTTPClient: HTTPTransport {
    public struct Configuration: Sendable {
        /// How long to wait for the TCP (+TLS) connection.
        public var connectTimeout: Duration
        /// The whole exchange, from connecting to the last byte of the body (per request overridable).
        public var timeout: Duration
        /// Bodies larger than this are refused with ``HTTPClientError/responseTooLarge(limit:)``.
        public var maxResponseBytes: Int
        /// The local IP address connections leave from (`CURLOPT_INTERFACE`); nil lets the system choose.
        public var sourceAddress: String?
        /// A unix socket every request goes through instead of TCP (`CURLOPT_UNIX_SOCKET_PATH`); the URL still
        /// names the request's path and `Host`.
        public var unixSocket: String?

        public init(
            connectTimeout: Duration = .seconds(5), timeout: Duration = .seconds(30), maxResponseBytes: Int = 32 << 20,
            sourceAddress: String? = nil, unixSocket: String? = nil
        ) {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxResponseBytes = maxResponseBytes
            self.sourceAddress = sourceAddress
            self.unixSocket = unixSocket
        }
    }

    public let configuration: Configuration
    private var handle: UnsafeMutableRawPointer?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates the client; the libcurl handle is made on the first request (so a failure surfaces as an
    /// ``HTTPClientError/unavailable(_:)`` there, not here).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        if let handle { curl_easy_cleanup(handle) }
        errorBuffer.deallocate()
    }

    public func send(_ request: HTTPRequest) throws(HTTPClientError) -> HTTPResponse {
        let handle = try preparedHandle()
        let host = Self.hostAndPort(of: request.url)
        try Self.validate(request)

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for field in request.headers {
            // `Name;` is libcurl's way to send a header with an empty value.
            let line = field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
            guard let appended = curl_slist_append(headerList, line) else { throw .unavailable("out of memory") }
            headerList = appended
        }
        if !request.headers.contains("Expect") {
            // No `Expect: 100-continue` round trip for larger bodies.
            guard let appended = curl_slist_append(headerList, "Expect:") else { throw .unavailable("out of memory") }
            headerList = appended
        }

        let totalTimeout = request.timeout ?? configuration.timeout
        let transfer = Transfer(limit: configuration.maxResponseBytes)
        errorBuffer[0] = 0

        var options = Options(handle)
        options.set(CURLOPT_URL, request.url)
        options.set(CURLOPT_NOSIGNAL, 1)
        options.set(CURLOPT_FOLLOWLOCATION, 0)
        options.set(CURLOPT_PROTOCOLS_STR, "http,https")
        options.set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_1_1))
        options.set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(min(configuration.connectTimeout, totalTimeout)))
        options.set(CURLOPT_TIMEOUT_MS, Self.milliseconds(totalTimeout))
        options.set(CURLOPT_MAXFILESIZE_LARGE, off: curl_off_t(configuration.maxResponseBytes))
        options.set(CURLOPT_NOPROXY, Self.noProxy)
        if let sourceAddress = configuration.sourceAddress { options.set(CURLOPT_INTERFACE, "host!" + sourceAddress) }
        if let unixSocket = configuration.unixSocket { options.set(CURLOPT_UNIX_SOCKET_PATH, unixSocket) }
        options.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        options.set(CURLOPT_HTTPHEADER, list: headerList)
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        options.set(CURLOPT_HEADERDATA, pointer: context)
        options.set(CURLOPT_WRITEDATA, pointer: context)
        options.setHeaderCallback()
        options.setWriteCallback()

        let code: CURLcode = withExtendedLifetime(transfer) {
            request.body.withUnsafeBytes { body in
                switch (request.method, body.isEmpty) {
                case ("GET", true):
                    options.set(CURLOPT_HTTPGET, 1)
                case ("HEAD", true):
                    options.set(CURLOPT_NOBODY, 1)
                case ("DELETE", true), ("OPTIONS", true):
                    options.set(CURLOPT_CUSTOMREQUEST, request.method)
                default:
                    // POST, PUT, PATCH, or any method with a body: always a Content-Length, even 0.
                    options.set(CURLOPT_POST, 1)
                    options.set(CURLOPT_POSTFIELDSIZE_LARGE, off: curl_off_t(body.count))
                    if let base = body.baseAddress {
                        options.set(CURLOPT_POSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: base))
                    } else {
                        options.set(CURLOPT_COPYPOSTFIELDS, "")
                    }
                    if request.method != "POST" { options.set(CURLOPT_CUSTOMREQUEST, request.method) }
                }
                if let failed = options.firstFailure { return failed }
                return curl_easy_perform(handle)
            }
        }

        guard code == CURLE_OK else {
            throw failure(code, host: host, timeout: totalTimeout, handle: handle, transfer: transfer)
        }
        var status = 0
        _ = gg_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: HTTPHeaders(transfer.headers), body: transfer.body)
    }

    // MARK: - libcurl plumbing

    private func preparedHandle() throws(HTTPClientError) -> UnsafeMutableRawPointer {
        guard CurlRuntime.initialised else { throw .unavailable("curl_global_init failed") }
        if let handle {
            curl_easy_reset(handle)  // keeps the open connections, forgets the previous request's options
            return handle
        }
        guard let created = curl_easy_init() else { throw .unavailable("curl_easy_init returned no handle") }
        handle = created
        return created
    }

    private func failure(
        _ code: CURLcode, host: String, timeout: Duration, handle: UnsafeMutableRawPointer, transfer: Transfer
    ) -> HTTPClientError {
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        var requestSize = 0
        _ = gg_curl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &requestSize)
        switch code {
        case CURLE_WRITE_ERROR where transfer.overflowed, CURLE_FILESIZE_EXCEEDED:
            return .responseTooLarge(limit: configuration.maxResponseBytes)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut(host: host, seconds: Self.seconds(timeout), requestSent: requestSize > 0)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR,
            CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return .connectionFailed(host: host, reason: detail)
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE:
            return requestSize > 0 ? .connectionLost(host: host, reason: detail) : .connectionFailed(host: host, reason: detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidRequest(detail)
        default:
            return .transferFailed(code: Int(code.rawValue), reason: detail)
        }
    }

    private static func validate(_ request: HTTPRequest) throws(HTTPClientError) {
        let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        guard !request.method.isEmpty, request.method.utf8.allSatisfy(tokenCharacters.contains) else {
            throw .invalidRequest("the method \"\(request.method)\" is not an HTTP token")
        }
        let lower = request.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw .invalidRequest("only http:// and https:// URLs are supported (got \"\(hostAndPort(of: request.url))\")")
        }
        let forbidden: Set<UInt8> = [0, 10, 13]
        guard !request.url.utf8.contains(where: { forbidden.contains($0) || $0 == 32 }) else {
            throw .invalidRequest("the URL contains a space or a line break; percent-encode it")
        }
        for field in request.headers {
            guard !field.name.isEmpty, field.name.utf8.allSatisfy(tokenCharacters.contains) else {
                throw .invalidRequest("the header name \"\(field.name)\" is not an HTTP token")
            }
            guard !field.value.utf8.contains(where: forbidden.contains) else {
                throw .invalidRequest("the value of header \(field.name) contains a line break")
            }
        }
    }

    /// `host[:port]` of a URL, without user info, path or query (safe to log).
    static func hostAndPort(of url: String) -> String {
        var rest = Substring(url)
        if let colon = rest.firstIndex(of: ":"), rest[colon...].hasPrefix("://") {
            rest = rest[rest.index(colon, offsetBy: 3)...]
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { return String(authority[authority.index(after: at)...]) }
        return String(authority)
    }

    /// Loopback never goes through a proxy; the `NO_PROXY` list from the environment is kept.
    private static let noProxy: String = {
        let fromEnvironment = getenv("NO_PROXY").map { String(cString: $0) } ?? getenv("no_proxy").map { String(cString: $0) }
        return ["localhost", "127.0.0.1", "::1", fromEnvironment].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ",")
    }()

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// What the callbacks collect during one transfer.
private final class Transfer {
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    let limit: Int
    var overflowed = false

    init(limit: Int) {
        self.limit = limit
    }

    func headerLine(_ bytes: UnsafeRawBufferPointer) {
        var line = Substring(String(decoding: bytes, as: UTF8.self))
        while let last = line.last, last == "\r" || last == "\n" || last == "\r\n" { line = line.dropLast() }
        if line.hasPrefix("HTTP/") {
            headers = []  // a new response begins (after a 1xx): only the final one's headers count
        } else if let first = line.first, first == " " || first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += " " + line.trimmingWhitespace()  // obsolete line folding
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            headers.append((name: name, value: value))
            // One allocation for a large body (an attachment) instead of a doubling series of them.
            if name.lowercased() == "content-length", let length = Int(value), length <= limit { body.reserveCapacity(length) }
        }
    }

    func bodyBytes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard body.count + bytes.count <= limit else {
            overflowed = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }
}

private extension Substring {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}

/// Typed `curl_easy_setopt` calls that remember the first failure.
private struct Options {
    let handle: UnsafeMutableRawPointer
    private(set) var firstFailure: CURLcode?

    init(_ handle: UnsafeMutableRawPointer) {
        self.handle = handle
    }

    mutating func set(_ option: CURLoption, _ value: Int) {
        record(gg_curl_setopt_long(handle, option, value))
    }

    mutating func set(_ option: CURLoption, _ value: String) {
        record(gg_curl_setopt_string(handle, option, value))  // libcurl copies strings (except POSTFIELDS)
    }

    mutating func set(_ option: CURLoption, off value: curl_off_t) {
        record(gg_curl_setopt_off(handle, option, value))
    }

    mutating func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) {
        record(gg_curl_setopt_pointer(handle, option, value))
    }

    mutating func set(_ option: CURLoption, list value: UnsafeMutablePointer<curl_slist>?) {
        record(gg_curl_setopt_slist(handle, option, value))
    }

    mutating func setHeaderCallback() {
        record(
            gg_curl_setopt_data_cb(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                let length = size * count
                guard let data, let context else { return length }
                let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
                transfer.headerLine(UnsafeRawBufferPointer(start: data, count: length))
                return length
            })
    }

    mutating func setWriteCallback() {
        record(
            gg_curl_setopt_data_cb(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let length = size * count
                guard let data, let context else { return length }
                let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
                return transfer.bodyBytes(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
            })
    }

    private mutating func record(_ code: CURLcode) {
        if code != CURLE_OK, firstFailure == nil { firstFailure = code }
    }
}

/// `curl_global_init`, exactly once per process (a `static let` initialiser runs once, thread-safely).
enum CurlRuntime {
    static let initialised: Bool = {
        // With CURLOPT_NOSIGNAL libcurl no longer shields writes from SIGPIPE: ignore it process-wide,
        // unless the program already installed its own handler (then that one is kept).
        let previous = signal(SIGPIPE, SIG_IGN)
        if previous != nil { signal(SIGPIPE, previous) }
        return curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()
}
