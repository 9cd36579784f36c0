import ArgumentParser

struct DownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop everything started in DIR (nothing to stop is no failure).",
        discussion: "With --purge it also deletes the database cluster, sockets, nginx prefix and generated secrets."
    )

    @OptionGroup var directory: StackArguments

    @Flag(help: "Also delete the database cluster, sockets, nginx prefix and generated secrets.")
    var purge = false

    func run() throws {
        try directory.stack().down(purge: purge)
    }
}
