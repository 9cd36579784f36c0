/// What an admin asks of the Discord client's settings: fields to set, and saved fields to give back to the
/// environment. A field not named keeps what it has.
public struct ClientSettingsChange: Sendable, Equatable {
    public enum Edit: Sendable, Equatable {
        case set(String)
        /// Forget the saved value: the environment's applies again.
        case useEnvironment
    }

    public var edits: [DiscordClientSettings.Field: Edit]

    public init(_ edits: [DiscordClientSettings.Field: Edit] = [:]) {
        self.edits = edits
    }

    /// The edit a submitted form field asks for: nothing when it was not sent; an empty secret keeps the
    /// stored one (a secret is never shown, so its field always comes back empty); another field left empty
    /// gives the setting back to the environment.
    public static func edit(for field: DiscordClientSettings.Field, submitted: String?) -> Edit? {
        guard let submitted else { return nil }
        guard !submitted.allSatisfy(\.isWhitespace) else { return field.isSecret ? nil : .useEnvironment }
        return .set(submitted)
    }
}
