import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// DIR, the home of one stack:
///
///     pids/NAME.pid         one per running process (postgres, sandbox, web, bot, nginx)
///     logs/NAME.log         their output; nginx's own logs are nginx-error.log and nginx-access.log
///     stack.env             the environment web and bot got (KEY='value', shell-sourceable, 0600)
///     pg/                   the PostgreSQL cluster: data/, and run/, its socket directory
///     run/                  web.sock and transfer.sock, guildgate-web's FastCGI sockets
///     nginx/                nginx's prefix: nginx.conf, guildgate.conf, tmp/
///     secret.key, api.token the secrets the stack made for itself
///     sandbox.port          the port discord-sandbox bound
///     side.path             where pg/, run/ and nginx/ really are when they cannot be in DIR (see RuntimeDirectories)
public struct StackDirectory: Sendable {
    /// Absolute, with symbolic links resolved once the directory exists.
    public let path: String

    public init(_ path: String) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        self.path =
            realpath(absolute, nil).map { resolved in
                defer { free(resolved) }
                return String(cString: resolved)
            } ?? absolute
    }

    /// The same directory, created if needed.
    func created() throws(StackError) -> StackDirectory {
        try FileSystem.makeDirectory(path)
        return StackDirectory(path)
    }

    var exists: Bool { FileManager.default.fileExists(atPath: path) }

    var pids: String { path + "/pids" }
    var logs: String { path + "/logs" }
    var stackEnv: String { path + "/stack.env" }
    var postgres: String { path + "/pg" }
    var sockets: String { path + "/run" }
    var nginx: String { path + "/nginx" }
    var secretKey: String { path + "/secret.key" }
    var apiToken: String { path + "/api.token" }
    var sandboxPort: String { path + "/sandbox.port" }
    var sidePath: String { path + "/side.path" }
    /// guildgate-web's sockets in run/: pages and the API, and file transfers; and nginx's, where guildgate-web
    /// publishes roster events.
    static let webSocketName = "web.sock"
    static let transferSocketName = "transfer.sock"
    static let eventsSocketName = "events.sock"
    var webSocket: String { sockets + "/" + Self.webSocketName }
    var transferSocket: String { sockets + "/" + Self.transferSocketName }
    var eventsSocket: String { sockets + "/" + Self.eventsSocketName }

    func log(_ name: String) -> String { "\(logs)/\(name).log" }

    func pidFile(_ service: ServiceName) -> PidFile { PidFile(path: "\(pids)/\(service.rawValue).pid") }
}
