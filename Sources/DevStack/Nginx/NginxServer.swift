import Foundation

/// nginx in front of guildgate-web, on 127.0.0.1:PORT, with DIR/nginx as its prefix, its error log in
/// DIR/logs/nginx-error.log.
struct NginxServer: Sendable {
    let context: StackContext
    let environment: [String: String]

    /// How many ports are tried when the port is picked: another program may bind one between the probe and nginx.
    private static let portAttempts = 5

    private var service: ServiceProcess { context.service(.nginx) }
    private var errorLog: String { context.directory.log("nginx-error") }

    /// Renders `config` on the requested port (0: a free one), starts nginx and waits for it to answer; the port.
    func start(_ config: NginxConfig, requestedPort: Int) throws(StackError) -> Int {
        let nginx = try executable()
        guard FileManager.default.isReadableFile(atPath: "/etc/nginx/fastcgi_params") else {
            throw StackError("/etc/nginx/fastcgi_params missing (run scripts/install-deps)")
        }
        try FileSystem.makeDirectory(config.prefix + "/tmp")
        var config = config
        for attempt in 1...Self.portAttempts {
            config.port = requestedPort == 0 ? try PortProbe.freePort() : requestedPort
            guard requestedPort == 0 || PortProbe.isFree(requestedPort) else { throw Self.portInUse(requestedPort) }
            try config.write()
            try check(config, nginx: nginx)
            if try launch(nginx, prefix: config.prefix, port: config.port) { break }
            service.stop(.quit)
            let lostRace = requestedPort == 0 && attempt < Self.portAttempts
            guard lostRace, LogExcerpt(path: errorLog, lines: 5).lines.contains(where: { $0.contains("Address already in use") }) else {
                throw StackError("nginx did not start on 127.0.0.1:\(config.port)", log: errorLog)
            }
        }
        context.logger.info("nginx: http://127.0.0.1:\(config.port)")
        return config.port
    }

    /// Starts nginx again with the configuration it has, on `port`.
    func restart(port: Int) throws(StackError) {
        let prefix = URL(fileURLWithPath: context.directory.nginx).resolvingSymlinksInPath().path
        guard try launch(try executable(), prefix: prefix, port: port) else {
            throw StackError("nginx did not start on 127.0.0.1:\(port)", log: errorLog)
        }
    }

    /// Renders `config` over the running nginx's and has it load it (`nginx -s reload`): its old workers finish
    /// the requests they hold while new ones take the new configuration. Returns once every worker that ran
    /// before is gone and a new one runs, so that every request from then on meets the new configuration.
    func reload(_ config: NginxConfig) throws(StackError) {
        guard case .running(let master?) = service.pidFile.state else { throw StackError("nginx is not running") }
        let nginx = try executable()
        try config.write()
        try check(config, nginx: nginx)
        let old = Self.workers(of: master)
        let reload = Invocation(nginx, ["-p", config.prefix + "/", "-c", config.mainFile, "-s", "reload"], environment: environment)
        guard try Command.run(reload, output: .append(errorLog), timeout: context.timeout, poll: context.poll).succeeded else {
            throw StackError("nginx -s reload failed", log: errorLog)
        }
        let settled = try context.poll.wait(upTo: context.timeout) {
            let workers = Self.workers(of: master)
            return !workers.isEmpty && workers.isDisjoint(with: old)
        }
        guard settled else { throw StackError("nginx's old workers did not finish within the timeout after a reload", log: errorLog) }
    }

    /// The master's child processes: its workers (and, briefly, its cache loader).
    private static func workers(of master: pid_t) -> Set<pid_t> {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return Set(
            entries.compactMap { entry -> pid_t? in
                guard let pid = pid_t(entry), let stat = FileSystem.read("/proc/\(entry)/stat"),
                    let afterName = stat.range(of: ") ", options: .backwards)
                else { return nil }
                // After the command's name: the state, then the parent's pid.
                let fields = stat[afterName.upperBound...].split(separator: " ")
                return fields.count > 1 && pid_t(fields[1]) == master ? pid : nil
            })
    }

    static func portInUse(_ port: Int) -> StackError {
        StackError("port \(port) is already in use on this machine (choose another: --http-port N, or PORT=N make run)")
    }

    private func executable() throws(StackError) -> String {
        guard let nginx = ExecutableSearch.find("nginx", in: environment, fallback: ["/usr/sbin"]) else {
            throw StackError("nginx not found (run scripts/install-deps)")
        }
        return nginx
    }

    /// `nginx -t`: the rendered configuration is one nginx accepts.
    private func check(_ config: NginxConfig, nginx: String) throws(StackError) {
        let log = context.directory.log("nginx-test")
        LogFile.truncate(log)
        let test = Invocation(
            nginx, ["-q", "-t", "-p", config.prefix + "/", "-c", config.mainFile, "-e", "stderr"], environment: environment)
        guard try Command.run(test, output: .append(log), timeout: context.timeout, poll: context.poll).succeeded else {
            throw StackError("nginx rejected the rendered configuration (\(config.mainFile))", log: log)
        }
    }

    /// Starts nginx and waits until it answers /_nginx/ping; false if it exits or stays silent.
    private func launch(_ nginx: String, prefix: String, port: Int) throws(StackError) -> Bool {
        let arguments = ["-p", prefix + "/", "-c", prefix + "/nginx.conf", "-e", errorLog, "-g", "daemon off;"]
        _ = try service.start(Invocation(nginx, arguments, environment: environment))
        return try context.poll.wait(upTo: context.timeout) {
            guard service.isRunning else { return true }
            return HTTPProbe.status(port: port, path: "/_nginx/ping").map { (200..<300).contains($0) } ?? false
        } && service.isRunning
    }
}
