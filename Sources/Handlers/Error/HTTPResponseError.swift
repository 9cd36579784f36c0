import JSONSupport

/// An error that knows its own answer, as Hummingbird's `HTTPResponseError` does: the status, a stable
/// code, a message anyone may read and the headers its status calls for. `Application` renders it as JSON
/// under `/api` and as a page elsewhere. Any other error is logged and answered with a plain 500, so the
/// inside of a failure (SQL, a Discord response, a path) never reaches a response body.
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    /// A stable, machine-readable code (`quota_exceeded`).
    var code: String { get }
    /// What the caller is told: what happened and what to do next, never how the server failed.
    var publicMessage: String { get }
    var fieldErrors: [FieldError] { get }
    /// Headers the status calls for (`Allow`, `Retry-After`).
    var headers: [(String, String)] { get }
}

extension HTTPResponseError {
    public var fieldErrors: [FieldError] { [] }
    public var headers: [(String, String)] { [] }

    /// `{"success":false,"error":…,"code":…,"fields":{…}}`.
    public var json: JSON {
        var members: [(String, JSON)] = [("success", false), ("error", .string(publicMessage)), ("code", .string(code))]
        if !fieldErrors.isEmpty {
            members.append(("fields", .object(fieldErrors.map { ($0.field, .string($0.message)) })))
        }
        return .object(members)
    }

    /// Whether the server, not the caller, is at fault: such errors are logged with their details.
    var isServerFailure: Bool { status.code >= 500 }
}
