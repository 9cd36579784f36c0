import Logging
import ProcessSupport

/// A complete local GuildGate in one directory: PostgreSQL, discord-sandbox, guildgate-web, guildgate-bot and nginx,
/// as `make run`, `make bench` and the end-to-end tests start it (through guildgate-dev, or in-process). Every
/// operation works from the directory alone, so a later `down`, `status` or `restart` finds what an `up` started.
public struct LocalStack: Sendable {
    public let directory: StackDirectory
    /// The caller's environment: the base of the services' environment, and where programs are looked up (PATH).
    let environment: [String: String]
    /// How long one wait may take: a service to answer, a command to finish.
    let timeout: Duration
    let logger: Logger
    let privileges = Privileges()

    public init(directory: String, environment: [String: String], timeout: Duration = .seconds(60), logger: Logger) {
        self.directory = StackDirectory(directory)
        self.environment = environment
        self.timeout = timeout
        self.logger = logger
    }

    /// The variables of DIR/stack.env: the settings web and bot got, and the stack's own (`STACK_*`).
    public func settings() throws(StackError) -> [String: String] {
        try StackEnvFile(path: directory.stackEnv).read()
    }

    public func status() -> StackStatus {
        let context = context(in: directory, interrupt: Latch())
        let services = ServiceName.allCases.map { name -> (name: ServiceName, state: StackStatus.State) in
            switch context.service(name).pidFile.state {
            case .running(let pid): return (name, .running(pid))
            case .stale: return (name, .dead)
            case .absent: return (name, .notRunning)
            }
        }
        let url = context.service(.nginx).isRunning ? (try? settings())?["WEB_URL"] : nil
        return StackStatus(services: services, url: url)
    }

    func context(in directory: StackDirectory, interrupt: Latch) -> StackContext {
        StackContext(directory: directory, privileges: privileges, timeout: timeout, poll: Poll(interrupt: interrupt), logger: logger)
    }
}
