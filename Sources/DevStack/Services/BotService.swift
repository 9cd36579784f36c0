import Foundation

/// guildgate-bot. It has no endpoint to probe: it counts as started once its log says the gateway session is ready,
/// or, against a slow gateway, if it still runs after 15 s.
struct BotService: Sendable {
    let context: StackContext
    let binaries: String
    let environment: [String: String]

    private static let readiness = Duration.seconds(15)

    func start() throws(StackError) {
        let program = binaries + "/guildgate-bot"
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw StackError("\(program) not found (build it: swift build)")
        }
        let service = context.service(.bot)
        let logged = (try? FileManager.default.attributesOfItem(atPath: service.log)[.size] as? UInt64) ?? 0
        let child = try service.start(Invocation(program, ["run"], environment: environment))
        var termination: Termination?
        _ = try context.poll.wait(upTo: Self.readiness) {
            termination = child.termination()
            return termination != nil || Self.text(of: service.log, after: logged).contains("gateway session ready")
        }
        if let termination {
            service.pidFile.remove()
            throw StackError("guildgate-bot \(termination)", log: service.log, lines: 40)
        }
        context.logger.info("bot: pid \(child.pid)")
    }

    /// What the log at `path` has after its first `offset` bytes.
    private static func text(of path: String, after offset: UInt64) -> String {
        guard let file = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? file.close() }
        guard (try? file.seek(toOffset: offset)) != nil, let data = try? file.readToEnd() else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
