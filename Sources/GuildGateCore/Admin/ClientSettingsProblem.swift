/// What is wrong with one field of the Discord client's settings, in words the admin can act on.
public struct ClientSettingsProblem: Sendable, Equatable, CustomStringConvertible {
    public let field: DiscordClientSettings.Field
    public let message: String

    public init(_ field: DiscordClientSettings.Field, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field.rawValue): \(message)" }
}
