import GuildGateCore

extension ScheduleAdministrationError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .intervalOutOfRange: return .badRequest
        case .unknownJobKind: return .conflict
        }
    }

    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .intervalOutOfRange: return "validation_failed"
        case .unknownJobKind: return "unknown_job_kind"
        }
    }

    public var publicMessage: String {
        switch self {
        case .notFound(let name): return "There is no schedule named \(name)."
        case .intervalOutOfRange: return "Some fields are invalid."
        case .unknownJobKind(let name): return "This version of GuildGate cannot run jobs of kind \(name)."
        }
    }

    public var fieldErrors: [FieldError] {
        guard case .intervalOutOfRange = self else { return [] }
        let range = ScheduleAdministration.intervalRange
        return [
            FieldError(
                "interval_seconds",
                "must be from \(range.lowerBound) seconds (1 minute) to \(range.upperBound) seconds (30 days)")
        ]
    }
}
