import GuildGateCore

extension FileUploadError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .storageNotConfigured: return .serviceUnavailable
        case .quotaExceeded, .exceedsQuotaLeft, .tooLarge: return .payloadTooLarge
        case .tooManyInProgress: return .tooManyRequests
        }
    }

    public var code: String {
        switch self {
        case .storageNotConfigured: return "service_unavailable"
        case .quotaExceeded, .exceedsQuotaLeft: return "quota_exceeded"
        case .tooLarge: return "payload_too_large"
        case .tooManyInProgress: return "too_many_requests"
        }
    }

    public var publicMessage: String {
        if case .tooManyInProgress = self { return description + " Try again in \(Self.retryAfterSeconds) seconds." }
        return description
    }

    public var headers: [(String, String)] {
        if case .tooManyInProgress = self { return [("Retry-After", String(Self.retryAfterSeconds))] }
        return []
    }

    private static let retryAfterSeconds = 30
}

/// Storing on Discord failed: the cause (a refused part, a Discord outage) is the operator's to read in the
/// log; the uploader learns that it failed and where an administrator looks.
extension FileStorageError: HTTPResponseError {
    public var status: HTTPStatus { .serviceUnavailable }
    public var code: String { "service_unavailable" }
    public var publicMessage: String {
        "The file could not be stored on Discord. The cause is logged; an administrator can find it with `guildgate-web doctor`."
    }
}
