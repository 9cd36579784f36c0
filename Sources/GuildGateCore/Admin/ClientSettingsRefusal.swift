/// Why settings were not saved. Nothing was changed.
public enum ClientSettingsRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Values that cannot be right whatever Discord says (an id that is not a number, a callback URL the site
    /// does not serve); Discord was not asked.
    case invalid([ClientSettingsProblem])
    /// Discord did not accept the new values (a refused token, a guild the bot is not in, a wrong secret),
    /// or could not be asked.
    case refusedByDiscord([ClientSettingsProblem])
    /// Someone else saved the settings after they were read: saving now would silently undo their change.
    case changedMeanwhile(by: String?)

    public var problems: [ClientSettingsProblem] {
        switch self {
        case .invalid(let problems), .refusedByDiscord(let problems): return problems
        case .changedMeanwhile: return []
        }
    }

    public var description: String {
        switch self {
        case .invalid(let problems):
            return "These settings are not valid: " + problems.map(\.description).joined(separator: "; ")
        case .refusedByDiscord(let problems):
            return "Discord did not accept these settings: " + problems.map(\.description).joined(separator: "; ")
        case .changedMeanwhile(let actor):
            return "The settings were saved by \(actor ?? "someone else") while you edited them. Reload them and make your change again."
        }
    }
}
