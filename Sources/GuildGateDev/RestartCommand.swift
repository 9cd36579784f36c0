import ArgumentParser
import DevStack

struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restart",
        abstract: "Stop one process and start it again with the same environment (DIR/stack.env)."
    )

    @Argument(help: "web, bot, nginx, sandbox or postgres (the stack's own).")
    var name: ServiceName

    @OptionGroup var directory: StackArguments

    func run() throws {
        try directory.stack().restart(name)
    }
}

extension ServiceName: ExpressibleByArgument {
    public init?(argument: String) {
        guard let name = ServiceName(rawValue: argument), ServiceName.restartable.contains(name) else { return nil }
        self = name
    }

    public static var allValueStrings: [String] { restartable.map(\.rawValue) }
}
