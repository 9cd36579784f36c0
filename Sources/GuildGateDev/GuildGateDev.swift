import ArgumentParser
import DevStack
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

@main
struct GuildGateDev: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guildgate-dev",
        abstract: """
            GuildGate's local stack: PostgreSQL, discord-sandbox, guildgate-web, guildgate-bot and nginx, for \
            `make run`, `make bench` and the end-to-end tests.
            """,
        discussion: """
            DIR layout: pids/NAME.pid, logs/NAME.log (nginx: nginx-error.log, nginx-access.log), stack.env \
            (KEY='value', shell-sourceable, 0600), pg/ (cluster: data/, run/ = socket dir), run/web.sock and \
            run/transfer.sock, nginx/ (prefix), secret.key, api.token.
            When DIR is not reachable by the postgres/nobody users (a checkout under /root) or too long for a unix \
            socket path, pg/, run/ and nginx/ are symbolic links into a private directory under /tmp.
            Environment: STACK_TIMEOUT (seconds per wait, default 60).
            Exit status: 0 done, 1 failed (the message says why, after the end of the log that explains it), \
            2 bad usage, 130 interrupted by SIGINT or SIGTERM.
            """,
        subcommands: [
            UpCommand.self, DownCommand.self, RestartCommand.self, StatusCommand.self, RunCommand.self, RenderNginxCommand.self,
        ]
    )

    static func main() async {
        // Output to a pipe whose reader is gone (`make run | tee`, after a Ctrl-C) must not kill guildgate-dev before
        // it has stopped the stack: writes fail instead. Services start with every signal at its default.
        signal(SIGPIPE, SIG_IGN)
        LoggingSystem.bootstrap { _ in ConsoleLogHandler() }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            fail(error, in: self)
        }
        do {
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                var command = command
                try command.run()
            }
        } catch {
            fail(error, in: type(of: command))
        }
    }

    /// Exits as `error` says: 1 after the stack's reason (and the logs that explain it), 130 when interrupted, 2 for
    /// bad usage, else as swift-argument-parser does (0 for --help).
    private static func fail(_ error: any Error, in command: any ParsableCommand.Type) -> Never {
        if let error = error as? StackError {
            guard !error.isInterruption else { Foundation.exit(130) }
            for excerpt in error.excerpts { StandardStream.error.write(excerpt.description + "\n") }
            StandardStream.error.write("guildgate-dev: error: \(error.message)\n")
            Foundation.exit(1)
        }
        guard command.exitCode(for: error) == .validationFailure else { command.exit(withError: error) }
        StandardStream.error.write(command.fullMessage(for: error) + "\n")
        Foundation.exit(2)
    }
}
