/// Who may see the staff roster (`GUILDGATE_ROSTER_ACCESS`).
public enum RosterAccess: String, Sendable {
    /// Anyone, signed in or not.
    case `public`
    /// Signed-in users who may use the website, admins, and the API token.
    case members
    /// Admins and the API token.
    case admins
}
