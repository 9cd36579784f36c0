/// The stack answers when `GET /healthz` through nginx does (guildgate-web behind it, with its database).
struct HealthCheck: Sendable {
    let context: StackContext
    let port: Int

    /// Waits until /healthz answers 2xx; fails early when guildgate-web or nginx exits.
    func wait() throws(StackError) {
        let web = context.service(.web)
        let nginx = context.service(.nginx)
        var status: Int?
        let answered = try context.poll.wait(upTo: context.timeout) { () throws(StackError) -> Bool in
            status = HTTPProbe.status(port: port, path: "/healthz")
            if let status, (200..<300).contains(status) { return true }
            guard web.isRunning else {
                throw StackError(
                    "guildgate-web exited during start-up (log above: \(web.log))", log: web.log, lines: 40)
            }
            guard nginx.isRunning else {
                throw StackError("nginx exited during start-up", log: context.directory.log("nginx-error"))
            }
            return false
        }
        guard !answered else { return }
        throw StackError(
            "http://127.0.0.1:\(port)/healthz did not answer 2xx within \(context.timeout.seconds)s (last status: \(status.map(String.init) ?? "000"))",
            excerpts: [LogExcerpt(path: web.log, lines: 40), LogExcerpt(path: context.directory.log("nginx-error"), lines: 10)])
    }
}
