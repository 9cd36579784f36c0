import GuildGateCore

/// A bad `from` or `to` is a 400 naming the field.
extension PresenceRangeError: HTTPResponseError {
    public var status: HTTPStatus { .badRequest }
    public var code: String { "validation_failed" }
    public var publicMessage: String { "The range is invalid: \(field) \(reason)." }
    public var fieldErrors: [FieldError] { [FieldError(field, reason)] }
}
