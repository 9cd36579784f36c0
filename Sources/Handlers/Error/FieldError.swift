/// A field that failed validation, with a message a user can act on.
public struct FieldError: Sendable, Equatable {
    public let field: String
    public let message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}
