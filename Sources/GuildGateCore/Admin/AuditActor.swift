/// Who made a change, as the audit log names them.
public enum AuditActor: Sendable, Equatable, CustomStringConvertible {
    /// An admin signed in to the panel.
    case admin(String)
    /// A script with `GUILDGATE_API_TOKEN`.
    case apiToken
    /// A scheduled run (`groups.verify`, …).
    case schedule(String)
    /// A change someone made on Discord itself (remote priority).
    case discord
    /// A job queued by something else (`requested_by` of the job).
    case job(String)
    /// An operator at the server's command line (`guildgate-web users unlink`).
    case commandLine
    /// A signed-in user changing something of their own (their presence card).
    case user(Int)

    public var description: String {
        switch self {
        case .admin(let name): return "admin:\(name)"
        case .apiToken: return "api"
        case .schedule(let name): return "schedule:\(name)"
        case .discord: return "discord"
        case .job(let requestedBy): return requestedBy
        case .commandLine: return "cli"
        case .user(let id): return "user:\(id)"
        }
    }
}
