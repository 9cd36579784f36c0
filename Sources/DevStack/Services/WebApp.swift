import Foundation

/// guildgate-web: its migrations, then `serve` on the two FastCGI sockets nginx forwards to (pages and the API;
/// file transfers).
struct WebApp: Sendable {
    let context: StackContext
    let state: StackState
    let environment: [String: String]

    private var program: String { state.binaries + "/guildgate-web" }

    /// `guildgate-web migrate`, within twice the stack's timeout.
    func migrate() throws(StackError) {
        try checkProgram()
        let log = context.directory.log("migrate")
        LogFile.mark("migrate", in: log)
        let migrate = Invocation(program, ["migrate"], environment: environment, directory: context.directory.path)
        guard try Command.run(migrate, output: .append(log), timeout: context.timeout * 2, poll: context.poll).succeeded else {
            throw StackError("guildgate-web migrate failed", log: log, lines: 40)
        }
    }

    /// Starts `serve` and waits until /healthz answers through nginx on `port`.
    func start(port: Int) throws(StackError) {
        try checkProgram()
        FileSystem.remove(state.webSocket)
        FileSystem.remove(state.transferSocket)
        let child = try context.service(.web).start(
            Invocation(
                program,
                [
                    "serve", "--listen", state.webSocket, "--threads", String(state.threads), "--transfer-listen", state.transferSocket,
                    "--transfer-threads", String(state.transferThreads), "--socket-group", state.socketGroup,
                ],
                environment: environment))
        context.logger.info(
            "web: pid \(child.pid), \(state.threads) + \(state.transferThreads) threads, sockets \(state.webSocket) and \(state.transferSocket)"
        )
        try HealthCheck(context: context, port: port).wait()
    }

    private func checkProgram() throws(StackError) {
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw StackError("\(program) not found (build it: swift build)")
        }
    }
}
