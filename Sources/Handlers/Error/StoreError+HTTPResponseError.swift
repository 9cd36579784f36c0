import Store

/// The database failing is the server's fault: the details go to the log, the caller learns only that it
/// may retry (503 with `Retry-After` when PostgreSQL is away or stopping, 500 otherwise).
extension StoreError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .connectionFailed, .connectionLost, .interrupted, .schemaBehind: return .serviceUnavailable
        case .queryFailed, .unexpectedResult: return .internalServerError
        }
    }

    public var code: String { status == .serviceUnavailable ? "service_unavailable" : "server_error" }

    public var publicMessage: String {
        status == .serviceUnavailable
            ? "The database is unavailable right now. Please try again shortly."
            : HTTPError.internalError.publicMessage
    }

    public var headers: [(String, String)] {
        status == .serviceUnavailable ? [("Retry-After", String(Self.retryAfterSeconds))] : []
    }

    /// What a caller is told to wait: about as long as PostgreSQL takes to restart.
    static let retryAfterSeconds = 5
}
