import DiscordSandboxDefaults
import Foundation

/// discord-sandbox on 127.0.0.1, for a stack with no Discord credentials, and the Discord settings that send web and
/// bot to it instead of discord.com.
struct SandboxService: Sendable {
    let context: StackContext
    let binaries: String
    let environment: [String: String]

    private var service: ServiceProcess { context.service(.sandbox) }

    /// Starts discord-sandbox on `port` (0: one the system picks) and waits until it answers; its origin.
    func start(port: Int = 0) throws(StackError) -> String {
        let program = binaries + "/discord-sandbox"
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw StackError("\(program) not found (build it: swift build)")
        }
        let portFile = context.directory.sandboxPort
        FileSystem.remove(portFile)
        _ = try service.start(
            Invocation(program, ["--listen", "127.0.0.1:\(port)", "--port-file", portFile], environment: environment))
        var origin: String?
        let answered = try context.poll.wait(upTo: context.timeout) { () throws(StackError) -> Bool in
            guard service.isRunning else { throw StackError("discord-sandbox exited during start-up", log: service.log) }
            guard let bound = FileSystem.read(portFile).flatMap({ Int($0.filter(\.isNumber)) }),
                HTTPProbe.status(port: bound, path: "/_sandbox/health").map({ (200..<300).contains($0) }) == true
            else { return false }
            origin = "http://127.0.0.1:\(bound)"
            return true
        }
        guard answered, let origin else {
            throw StackError("discord-sandbox did not answer /_sandbox/health within \(context.timeout.seconds)s", log: service.log)
        }
        context.logger.info("discord-sandbox: \(origin)")
        return origin
    }

    /// The settings that point web and bot at the sandbox at `origin`, as its application, bot and guild, and at its
    /// OpenAI-compatible chat backend.
    static func settings(origin: String) -> [String: String] {
        [
            "SANDBOX_URL": origin,
            "DISCORD_API_BASE": origin + "/api/v10",
            "DISCORD_OAUTH_AUTHORIZE_URL": origin + "/oauth2/authorize",
            "DISCORD_CLIENT_ID": SandboxDefaults.clientID,
            "DISCORD_CLIENT_SECRET": SandboxDefaults.clientSecret,
            "DISCORD_BOT_TOKEN": SandboxDefaults.botToken,
            "DISCORD_GUILD_ID": SandboxDefaults.guildID,
            "DISCORD_STORAGE_CHANNEL_IDS": SandboxDefaults.textChannelIDs.joined(separator: ","),
            "CHAT_API_BASE": origin + "/openai/v1",
            "CHAT_API_KEY": SandboxDefaults.chatAPIKey,
            "CHAT_MODEL": "sandbox-model",
        ]
    }

    /// The aliases of other setups, which would contradict the sandbox's settings.
    static let replacedAliases = ["DISCORD_TOKEN", "SERVER_ID", "CHANNEL_ID"]
}
