import ProcessSupport

extension LocalStack {
    /// Points the running stack's nginx at these guildgate-web sockets for pages and the API (none: the stack's own
    /// instance) and has it load that (`nginx -s reload`); the first is tried first, and one that cannot be reached
    /// is skipped. How the tests run several instances behind one upstream and restart them one at a time.
    public func reloadNginx(webSockets: [String]) throws(StackError) {
        let values = try settings()
        let state = try StackState(values, path: directory.stackEnv)
        guard let port = values["HTTP_PORT"].flatMap({ Int($0) }) else {
            throw StackError("HTTP_PORT missing from \(directory.stackEnv)")
        }
        var config = NginxConfig(
            state: state, directory: directory, privileges: privileges, port: port, sandboxOrigin: values["SANDBOX_URL"])
        if let first = webSockets.first {
            config.webSocket = first
            config.moreWebSockets = Array(webSockets.dropFirst())
        }
        try NginxServer(context: context(in: directory, interrupt: Latch()), environment: environment).reload(config)
        logger.info("nginx reloaded", metadata: ["web_sockets": "\(webSockets.isEmpty ? [state.webSocket] : webSockets)"])
    }
}
