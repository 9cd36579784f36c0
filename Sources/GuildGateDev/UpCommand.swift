import ArgumentParser
import DevStack
import ProcessSupport

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start what is needed; return when http://127.0.0.1:PORT/healthz answers 2xx.",
        discussion: """
            PostgreSQL is started only when DATABASE_URL is not configured, discord-sandbox only when no Discord \
            credentials are (DISCORD_CLIENT_ID, DISCORD_BOT_TOKEN or DISCORD_TOKEN, in the environment or the env \
            file). On failure it prints the end of the failing log, stops what it started and exits 1; on SIGINT or \
            SIGTERM it stops what it started and exits 130.
            """
    )

    @OptionGroup var directory: StackArguments
    @OptionGroup var start: StartArguments

    func run() async throws {
        let stop = Latch.openedBySignal()
        let stack = try directory.stack()
        let options = try start.options()
        _ = try await BlockingWork.run { () throws(StackError) in try stack.up(options, interrupt: stop) }
    }
}
