import Foundation
import ProcessSupport
import Store

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The stack's own PostgreSQL, for a stack with no DATABASE_URL: a throwaway cluster in DIR/pg (data/, and run/ for
/// its socket; no TCP), created on first use, run by `postgres` when the stack runs as root (PostgreSQL refuses root),
/// with a database `guildgate`.
struct PostgresCluster: Sendable {
    let context: StackContext
    let environment: [String: String]

    private var service: ServiceProcess { context.service(.postgres) }
    private var log: String { service.log }

    /// Creates the cluster if there is none, starts it and creates the database; its DATABASE_URL.
    func start(in root: String) throws(StackError) -> String {
        let user = try context.privileges.postgresUser()
        if context.privileges.isRoot { try context.privileges.changeOwner(of: root, to: user) }
        chmod(root, 0o700)
        let data = root + "/data"
        let binaries = try PostgresInstallation.binaries(for: data, directory: context.directory)
        if !FileManager.default.fileExists(atPath: data + "/PG_VERSION") {
            try create(data: data, socketDirectory: root + "/run", binaries: binaries, user: user)
        }
        let port = try Self.port(in: data)
        LogFile.mark("starting postgres", in: log)
        // pg_ctl detaches the postmaster into a session of its own; the postmaster inherits the pid file's lock.
        let claim = try service.pidFile.claim(for: .postgres)
        let start = try context.privileges.invocation(
            Invocation(binaries + "/pg_ctl", ["-D", data, "-w", "-t", String(context.timeout.seconds), "start"], environment: environment),
            as: user)
        let started = try Command.run(
            start, output: .append(log), timeout: context.timeout + .seconds(10), poll: context.poll, inherited: claim.descriptor)
        guard started.succeeded else { throw StackError("PostgreSQL did not start", log: log) }
        if let pid = FileSystem.read(data + "/postmaster.pid")?.split(separator: "\n").first.flatMap({ pid_t($0) }) {
            claim.record(pid)
        }
        let url = try createDatabase(socketDirectory: root + "/run", port: port)
        context.logger.info("postgres: \(url)")
        return url
    }

    /// The directory `start` was given (DIR/pg's target); an error when the stack uses a PostgreSQL of its
    /// DATABASE_URL instead.
    func ownRoot() throws(StackError) -> String {
        let root = URL(fileURLWithPath: context.directory.postgres).resolvingSymlinksInPath().path
        guard FileManager.default.fileExists(atPath: root + "/data/PG_VERSION") else {
            throw StackError("this stack has no PostgreSQL of its own (DATABASE_URL names another): restart that one yourself")
        }
        return root
    }

    /// Stops the cluster of DIR/pg if it runs: a fast shutdown with pg_ctl, then SIGTERM and SIGKILL if need be.
    func stop() {
        guard case .running = service.pidFile.state else { return service.pidFile.remove() }
        let data = URL(fileURLWithPath: context.directory.postgres).resolvingSymlinksInPath().path + "/data"
        if let binaries = try? PostgresInstallation.binaries(for: data, directory: context.directory),
            let owner = Privileges.owner(of: data),
            let stop = try? context.privileges.invocation(
                Invocation(binaries + "/pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "20", "stop"], environment: environment),
                as: owner)
        {
            // Stopping finishes, signals or not: a latch nobody opens.
            _ = try? Command.run(stop, output: .append(log), timeout: .seconds(30), poll: Poll(interrupt: Latch()))
        }
        service.stop(.terminate)
    }

    private func create(data: String, socketDirectory: String, binaries: String, user: String) throws(StackError) {
        context.logger.info(
            "creating a PostgreSQL cluster in \(URL(fileURLWithPath: data).deletingLastPathComponent().path) (user \(user))")
        FileSystem.remove(data)
        FileSystem.remove(socketDirectory)
        try FileSystem.makeDirectory(socketDirectory)
        chmod(socketDirectory, 0o700)
        if context.privileges.isRoot { try context.privileges.changeOwner(of: socketDirectory, to: user) }
        let initdb = try context.privileges.invocation(
            Invocation(
                binaries + "/initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
                environment: environment),
            as: user)
        guard try Command.run(initdb, output: .append(log), timeout: context.timeout * 2, poll: context.poll).succeeded else {
            throw StackError("initdb failed", log: log)
        }
        // The port only names the socket file: listen_addresses is empty.
        let settings = """

            # ---- guildgate-dev: throwaway development/test cluster ----
            listen_addresses = ''
            port = \(Int.random(in: PortProbe.candidates))
            unix_socket_directories = '\(socketDirectory)'
            max_connections = 100
            shared_buffers = 32MB
            fsync = off
            synchronous_commit = off
            full_page_writes = off
            log_min_messages = warning
            log_line_prefix = '%m [%p] '

            """
        guard let file = FileHandle(forWritingAtPath: data + "/postgresql.conf") else {
            throw StackError("cannot write \(data)/postgresql.conf")
        }
        defer { try? file.close() }
        do {
            try file.seekToEnd()
            try file.write(contentsOf: Data(settings.utf8))
        } catch {
            throw StackError("cannot write \(data)/postgresql.conf: \(error.localizedDescription)")
        }
    }

    /// The port in postgresql.conf (its last `port = N` line).
    static func port(in data: String) throws(StackError) -> Int {
        let lines = (FileSystem.read(data + "/postgresql.conf") ?? "").split(separator: "\n")
        guard let port = lines.compactMap({ $0.hasPrefix("port = ") ? Int($0.dropFirst(7)) : nil }).last else {
            throw StackError("no port in \(data)/postgresql.conf")
        }
        return port
    }

    /// Creates the database `guildgate` if it is missing and checks that it takes connections; its URL.
    private func createDatabase(socketDirectory: String, port: Int) throws(StackError) -> String {
        let server = "postgresql:///postgres?host=\(socketDirectory)&port=\(port)&user=postgres"
        let url = "postgresql:///guildgate?host=\(socketDirectory)&port=\(port)&user=postgres"
        let interrupt = context.poll.interrupt
        do {
            let connection = PostgresConnection(url: server, interrupt: { interrupt.isOpen })
            if try connection.query("SELECT 1 FROM pg_database WHERE datname = 'guildgate'").rows.isEmpty {
                _ = try connection.query("CREATE DATABASE guildgate")
            }
        } catch {
            if error == .interrupted { throw .interrupted }
            throw StackError("could not create database guildgate: \(error)", log: log)
        }
        do {
            _ = try PostgresConnection(url: url, interrupt: { interrupt.isOpen }).query("SELECT 1")
        } catch {
            if error == .interrupted { throw .interrupted }
            throw StackError("cannot connect to \(url): \(error)", log: log)
        }
        return url
    }
}
