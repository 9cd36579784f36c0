#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The credentials in an `Authorization` header.
enum Authorization: Sendable, Equatable {
    case bot(token: String)
    case bearer(token: String)
    /// HTTP Basic `client_id:client_secret`; `nil` when the header does not decode to that.
    case basic(ClientCredentials?)
    case unsupported

    struct ClientCredentials: Sendable, Equatable {
        let clientID: String
        let clientSecret: String
    }

    init(headerValue: String) {
        let parts = headerValue.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else {
            self = .unsupported
            return
        }
        let credentials = String(parts[1].trimmingSpaces)
        switch parts[0].lowercased() {
        case "bot": self = .bot(token: credentials)
        case "bearer": self = .bearer(token: credentials)
        case "basic": self = .basic(Self.decodeBasic(credentials))
        default: self = .unsupported
        }
    }

    /// The scheme name as the request log reports it.
    var kind: String? {
        switch self {
        case .bot: "Bot"
        case .bearer: "Bearer"
        case .basic: "Basic"
        case .unsupported: nil
        }
    }

    /// Who is calling, for per-route rate-limit buckets: the token itself, or the client id.
    var rateLimitIdentity: String {
        switch self {
        case .bot(let token): "bot:\(token)"
        case .bearer(let token): "bearer:\(token)"
        case .basic(let credentials): "client:\(credentials?.clientID ?? "")"
        case .unsupported: "anonymous"
        }
    }

    private static func decodeBasic(_ encoded: String) -> ClientCredentials? {
        guard let data = Data(base64Encoded: encoded),
            let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return ClientCredentials(
            clientID: String(decoded[..<colon]),
            clientSecret: String(decoded[decoded.index(after: colon)...])
        )
    }
}

extension RequestContext {
    /// Throws 401 unless the request carries `Authorization: Bot <the configured bot token>`.
    func requireBotToken() throws(HTTPError) {
        guard case .bot(let token)? = request.authorization, token == configuration.botToken else {
            throw HTTPError.unauthorized
        }
    }
}
