import GuildGateCore
import ProcessSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension LocalStack {
    /// Starts what is needed and returns once `GET /healthz` answers through nginx: the variables of DIR/stack.env.
    /// PostgreSQL starts only when DATABASE_URL is not configured, discord-sandbox only when no Discord credentials
    /// are (DISCORD_CLIENT_ID, DISCORD_BOT_TOKEN or DISCORD_TOKEN, in the environment or the env file). On failure,
    /// and when `interrupt` opens, it stops what it started (the logs stay in DIR/logs).
    public func up(_ options: StackOptions, interrupt: Latch = Latch()) throws(StackError) -> [String: String] {
        try options.validate()
        var options = options
        options.binaries = try options.resolvedBinaries()
        options.repository = try options.resolvedRepository()
        options.envFile = try options.resolvedEnvFile()
        let directory = try directory.created()
        let context = context(in: directory, interrupt: interrupt)
        guard !ServiceName.allCases.contains(where: { context.service($0).isRunning }) else {
            throw StackError("a stack is already running in \(directory.path) (guildgate-dev down --dir \(directory.path))")
        }
        if options.httpPort != 0, !PortProbe.isFree(options.httpPort) { throw NginxServer.portInUse(options.httpPort) }
        let runtime = try RuntimeDirectories.prepare(
            in: directory, privileges: privileges, environment: environment, poll: context.poll, logger: logger)
        for log in ["web", "bot", "sandbox", "nginx-error", "nginx-access", "migrate", "postgres"] {
            LogFile.truncate(directory.log(log))
        }
        FileSystem.remove(directory.stackEnv)
        do {
            return try start(options, runtime: runtime, context: context)
        } catch {
            logger.notice("start-up failed; stopping what was started (logs stay in \(directory.logs))")
            stopAll(context)
            throw error
        }
    }

    /// Starts the stack with `options` resolved (absolute paths that exist).
    private func start(_ options: StackOptions, runtime: RuntimeDirectories, context: StackContext) throws(StackError) -> [String: String] {
        let directory = context.directory
        let binaries = options.binaries
        var environment = ServiceEnvironment(
            self.environment, envFile: try options.envFile.map { path throws(StackError) in try Self.load(envFile: path) } ?? [:])
        if options.isolated { environment.remove(where: ConfigurationNames.isCallerSpecific) }
        try privileges.changeGroup(of: runtime.sockets, to: privileges.socketGroup)
        chmod(runtime.sockets, 0o750)
        let state = StackState(
            directory: directory.path, binaries: binaries, repository: options.repository, threads: options.threads,
            transferThreads: options.transferThreads,
            webSocket: runtime.webSocket, transferSocket: runtime.transferSocket,
            socketGroup: privileges.socketGroup, startsBot: options.startsBot, httpPortArgument: options.httpPort)

        if !environment.isConfigured("DATABASE_URL") {
            environment["DATABASE_URL"] = try PostgresCluster(context: context, environment: environment.values).start(in: runtime.postgres)
        }
        var sandboxOrigin: String?
        if !environment.isConfigured("DISCORD_CLIENT_ID", "DISCORD_BOT_TOKEN", "DISCORD_TOKEN") {
            let origin = try SandboxService(context: context, binaries: binaries, environment: environment.values).start()
            environment.remove { SandboxService.replacedAliases.contains($0) }
            environment.merge(SandboxService.settings(origin: origin))
            sandboxOrigin = origin
        }
        let nginx = NginxConfig(
            state: state, directory: directory, privileges: privileges, port: options.httpPort, sandboxOrigin: sandboxOrigin)
        let port = try NginxServer(context: context, environment: environment.values).start(nginx, requestedPort: options.httpPort)

        let webURL = "http://127.0.0.1:\(port)"
        environment["HTTP_PORT"] = String(port)
        environment["WEB_URL"] = webURL
        if !environment.isConfigured("WEB_APP_BASE_URL") { environment["WEB_APP_BASE_URL"] = webURL }
        if !environment.isConfigured("GUILDGATE_SECRET_KEY") {
            environment["GUILDGATE_SECRET_KEY"] = try GeneratedSecrets.secretKey(in: directory)
        }
        if !environment.isConfigured("GUILDGATE_API_TOKEN") {
            environment["GUILDGATE_API_TOKEN"] = try GeneratedSecrets.apiToken(in: directory)
        }
        environment["GUILDGATE_ENV_FILE"] = options.envFile ?? ""  // empty: the apps read no .env file
        environment["GUILDGATE_TEMPLATES"] = options.repository + "/templates"
        environment["GUILDGATE_EVENTS_PUBLISH_URL"] = "unix:" + runtime.eventsSocket
        let envFileOfStack = StackEnvFile(path: directory.stackEnv)
        try envFileOfStack.write(settings: environment.settings, state: state)

        let web = WebApp(context: context, state: state, environment: environment.values)
        try web.migrate()
        try web.start(port: port)
        if options.startsBot { try BotService(context: context, binaries: binaries, environment: environment.values).start() }
        try HealthCheck(context: context, port: port).wait()
        logger.info("up: \(webURL) (environment: \(directory.stackEnv), logs: \(directory.logs))")
        return try envFileOfStack.read()
    }

    private static func load(envFile path: String) throws(StackError) -> [String: String] {
        do {
            return try DotEnv.load(path: path, required: true)
        } catch {
            throw StackError("--env-file \(path): \(error)")
        }
    }
}
