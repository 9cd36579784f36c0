import ProcessSupport

extension LocalStack {
    /// Stops one process and starts it again with the environment it had (DIR/stack.env).
    public func restart(_ name: ServiceName, interrupt: Latch = Latch()) throws(StackError) {
        let values = try settings()
        let state = try StackState(values, path: directory.stackEnv)
        guard let port = values["HTTP_PORT"].flatMap({ Int($0) }) else {
            throw StackError("HTTP_PORT missing from \(directory.stackEnv)")
        }
        let environment = environment.filter { !ConfigurationNames.contains($0.key) }
            .merging(values.filter { ConfigurationNames.contains($0.key) }) { _, recorded in recorded }
        let context = context(in: directory, interrupt: interrupt)
        switch name {
        case .web:
            context.service(.web).stop(.terminate)
            try WebApp(context: context, state: state, environment: environment).start(port: port)
        case .bot:
            context.service(.bot).stop(.terminate)
            try BotService(context: context, binaries: state.binaries, environment: environment).start()
        case .nginx:
            context.service(.nginx).stop(.quit)
            try NginxServer(context: context, environment: environment).restart(port: port)
            try HealthCheck(context: context, port: port).wait()
        case .sandbox:
            guard let sandboxPort = values["SANDBOX_URL"]?.split(separator: ":").last.flatMap({ Int($0) }) else {
                throw StackError("this stack has no discord-sandbox")
            }
            context.service(.sandbox).stop(.terminate)
            _ = try SandboxService(context: context, binaries: state.binaries, environment: environment).start(port: sandboxPort)
        case .postgres:
            let cluster = PostgresCluster(context: context, environment: environment)
            let root = try cluster.ownRoot()
            cluster.stop()
            _ = try cluster.start(in: root)
        }
        logger.info("restarted \(name.rawValue)")
    }

    /// Stops one process (PostgreSQL with a fast shutdown, as `down` does); `restart` starts it again.
    public func stop(_ name: ServiceName) {
        let context = context(in: directory, interrupt: Latch())
        switch name {
        case .nginx: context.service(.nginx).stop(.quit)
        case .web, .bot, .sandbox: context.service(name).stop(.terminate)
        case .postgres: PostgresCluster(context: context, environment: environment).stop()
        }
    }
}
