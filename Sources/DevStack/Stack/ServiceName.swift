/// The processes of a stack, as DIR/pids/NAME.pid and DIR/logs/NAME.log name them, in the order `status` lists them.
public enum ServiceName: String, CaseIterable, Sendable {
    case postgres
    case sandbox
    case web
    case bot
    case nginx

    /// What `restart` restarts (PostgreSQL only when the stack runs its own).
    public static let restartable: [ServiceName] = [.web, .bot, .nginx, .sandbox, .postgres]

    /// The program, as messages name it.
    var program: String {
        switch self {
        case .postgres: return "PostgreSQL"
        case .sandbox: return "discord-sandbox"
        case .web: return "guildgate-web"
        case .bot: return "guildgate-bot"
        case .nginx: return "nginx"
        }
    }
}
