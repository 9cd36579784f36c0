import ArgumentParser

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say which processes of DIR run, and the stack's URL; exit 1 if one died without `down`."
    )

    @OptionGroup var directory: StackArguments

    func run() throws {
        let status = try directory.stack().status()
        StandardStream.output.write(status.lines.map { $0 + "\n" }.joined())
        if status.hasDeadProcess { throw ExitCode.failure }
    }
}
