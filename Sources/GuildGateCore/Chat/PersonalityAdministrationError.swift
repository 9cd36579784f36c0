/// Why the admin panel refused to change a personality's prompt; nothing was changed.
public enum PersonalityAdministrationError: Error, Equatable {
    case notFound(name: String)
    /// The prompt breaks a rule; `reason` says which ("is required", "must be at most 4000 characters").
    case invalidPrompt(reason: String)
}
