import ArgumentParser
import DevStack
import Foundation
import Logging

/// `--dir DIR`, which every command but render-nginx takes, and the stack in it.
struct StackArguments: ParsableArguments {
    @Option(name: .customLong("dir"), help: "The stack's directory (up and run create it).")
    var directory: String

    /// The stack in DIR, with this process's environment; each wait lasts at most STACK_TIMEOUT seconds (60).
    func stack() throws(StackError) -> LocalStack {
        let environment = ProcessInfo.processInfo.environment
        var timeout = Duration.seconds(60)
        if let configured = environment["STACK_TIMEOUT"] {
            guard let seconds = Int(configured), seconds > 0 else {
                throw StackError("STACK_TIMEOUT must be a positive number of seconds, not '\(configured)'")
            }
            timeout = .seconds(seconds)
        }
        return LocalStack(directory: directory, environment: environment, timeout: timeout, logger: Logger(label: "guildgate-dev"))
    }
}

/// What `up` and `run` start, and how.
struct StartArguments: ParsableArguments {
    @Option(
        name: .customLong("bin"), help: "The directory of guildgate-web, guildgate-bot and discord-sandbox. (default: guildgate-dev's own)")
    var binaries: String?

    @Option(help: "nginx's port on 127.0.0.1; 0 picks a free one.")
    var httpPort = 0

    @Option(help: "guildgate-web's worker threads for pages and the API.")
    var threads = 16

    @Option(help: "guildgate-web's worker threads for file uploads and downloads, on their own socket.")
    var transferThreads = 8

    @Flag(help: "Do not start guildgate-bot.")
    var noBot = false

    @Option(help: "The .env file handed to web and bot (GUILDGATE_ENV_FILE). (default: none)")
    var envFile: String?

    @Flag(
        help: """
            Ignore DATABASE_URL, WEB_APP_BASE_URL, DISCORD_*, SERVER_ID, CHANNEL_ID, GUILDGATE_SECRET_KEY and \
            GUILDGATE_API_TOKEN from the environment: always a throwaway database and discord-sandbox.
            """)
    var isolated = false

    @Option(help: "The GuildGate checkout whose nginx/ and templates/ the stack uses. (default: the one guildgate-dev was built in)")
    var repository: String?

    func options() throws(StackError) -> StackOptions {
        var options = StackOptions(binaries: binaries ?? ProgramLocation.binaries, repository: try checkout())
        options.httpPort = httpPort
        options.threads = threads
        options.transferThreads = transferThreads
        options.startsBot = !noBot
        options.envFile = envFile.flatMap { $0.isEmpty ? nil : $0 }
        options.isolated = isolated
        return options
    }

    private func checkout() throws(StackError) -> String {
        if let repository { return repository }
        return try ProgramLocation.repository()
    }
}
