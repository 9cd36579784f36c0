import ArgumentParser
import DevStack
import ProcessSupport

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "make run: up, follow the logs, down on SIGINT or SIGTERM.",
        discussion: """
            Takes up's options. Once the stack is up it follows the logs of web, bot, sandbox, nginx and postgres on \
            standard output, each line prefixed with its process. One SIGINT or SIGTERM (SIGINT too when it was ignored \
            on entry, as for a command started with `&`) stops everything it started, whatever standard output is: a \
            terminal, a pipe or a file. It stops too, and exits 1, when guildgate-web or nginx exits.
            """
    )

    @OptionGroup var directory: StackArguments
    @OptionGroup var start: StartArguments

    func run() async throws {
        let stop = Latch.openedBySignal()
        let stack = try directory.stack()
        let options = try start.options()
        let settings = try await BlockingWork.run { () throws(StackError) in try stack.up(options, interrupt: stop) }
        let url = settings["WEB_URL"] ?? ""
        StandardStream.error.write(
            """

              GuildGate is running. Open:  \(url)/onboarding
              (admin: \(url)/admin; logs: \(stack.directory.path)/logs; Ctrl-C stops everything)


            """)
        let end = await BlockingWork.run { stack.follow(until: stop) { StandardStream.output.write($0 + "\n") } }
        StandardStream.error.write("\n")
        await BlockingWork.run { stack.down() }
        if end == .serviceExited { throw ExitCode.failure }
    }
}
