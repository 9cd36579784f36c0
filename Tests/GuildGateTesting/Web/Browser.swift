import CurlHTTP
import DiscordKit

/// A cookie-keeping client over real libcurl that never follows redirects, like a careful browser. Each
/// browser is a client of its own to nginx: it connects from its own loopback address (127.0.0.100–249), so
/// per-address limits count each test's traffic apart, as they would count different people.
public final class Browser: WebClient {
    public let baseURL: String
    private let client: HTTPClient
    private var jar = CookieJar()

    public var cookies: [String: String] { jar.cookies }

    public init(baseURL: String) {
        self.baseURL = baseURL
        // Large enough for the file tests' downloads.
        client = HTTPClient(
            configuration: .init(
                timeout: .seconds(120), maxResponseBytes: 512 << 20, sourceAddress: "127.0.0.\(Int.random(in: 100...249))"))
    }

    public func send(_ method: String, _ pathOrURL: String, headers: [String: String], body: [UInt8]) throws -> Page {
        let url = pathOrURL.hasPrefix("http") ? pathOrURL : baseURL + pathOrURL
        let ownSite = url.hasPrefix(baseURL)
        var requestHeaders = headers.map { ($0.key, $0.value) }
        if ownSite, let cookie = jar.header { requestHeaders.append(("Cookie", cookie)) }
        let response = try client.send(HTTPRequest(method: method, url: url, headers: requestHeaders, body: body))
        let page = Page(status: response.status, fields: response.headers.map { ($0.name, $0.value) }, bytes: response.body)
        if ownSite { jar.remember(from: response.headers.map { ($0.name, $0.value) }) }
        return page
    }
}
