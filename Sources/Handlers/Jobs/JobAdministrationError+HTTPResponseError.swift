import GuildGateCore

extension JobAdministrationError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .notFound: return .notFound
        case .notRetryable, .notCancellable: return .conflict
        }
    }

    public var code: String {
        switch self {
        case .notFound: return "not_found"
        case .notRetryable: return "not_retryable"
        case .notCancellable(_, let state): return state == .running ? "job_running" : "not_cancellable"
        }
    }

    public var publicMessage: String {
        switch self {
        case .notFound(let id): return "There is no job \(id)."
        case .notRetryable(let id, let state):
            return "Job \(id) is \(state.rawValue): only a failed or cancelled job can be retried."
        case .notCancellable(let id, .running):
            return "Job \(id) is running: a worker has it, and a running job cannot be cancelled. "
                + "Wait for it to finish; if it fails, retry it."
        case .notCancellable(let id, let state):
            return "Job \(id) is \(state.rawValue): only a queued job can be cancelled."
        }
    }
}
