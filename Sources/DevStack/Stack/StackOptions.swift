import Foundation

/// How `up` (and `run`) starts a stack.
public struct StackOptions: Sendable, Equatable {
    /// The directory of guildgate-web, guildgate-bot and discord-sandbox (`--bin`).
    public var binaries: String
    /// The GuildGate checkout whose nginx/ and templates/ the stack uses.
    public var repository: String
    /// nginx's port on 127.0.0.1; 0 picks a free one.
    public var httpPort = 0
    /// guildgate-web's worker threads for pages and the API.
    public var threads = 16
    /// guildgate-web's worker threads for file uploads and downloads, on their own socket.
    public var transferThreads = 8
    public var startsBot = true
    /// The .env file web and bot read (GUILDGATE_ENV_FILE); nil: none.
    public var envFile: String?
    /// Ignore the caller's database, public URL, Discord and secrets: always a throwaway database and discord-sandbox.
    public var isolated = false

    public init(binaries: String, repository: String) {
        self.binaries = binaries
        self.repository = repository
    }

    /// Checks what the options say on their own.
    public func validate() throws(StackError) {
        guard (0...65535).contains(httpPort) else { throw StackError("--http-port must be a port number or 0") }
        guard threads > 0 else { throw StackError("--threads must be a positive number") }
        guard transferThreads > 0 else { throw StackError("--transfer-threads must be a positive number") }
        guard !(isolated && envFile != nil) else { throw StackError("--isolated and --env-file exclude each other") }
    }

    /// `binaries`, absolute with links resolved, once it is known to be a directory.
    func resolvedBinaries() throws(StackError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: binaries, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StackError("--bin \(binaries) is not a directory (build first: swift build)")
        }
        return StackDirectory(binaries).path
    }

    /// Whether `path` is a GuildGate checkout: it has the nginx templates and the page templates the stack uses.
    public static func isCheckout(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/nginx/guildgate.conf.in")
            && FileManager.default.fileExists(atPath: path + "/templates")
    }

    /// `repository`, absolute with links resolved, once it is known to be a checkout.
    func resolvedRepository() throws(StackError) -> String {
        guard Self.isCheckout(repository) else {
            throw StackError("--repository \(repository) is not a GuildGate checkout (no nginx/guildgate.conf.in or templates/)")
        }
        return StackDirectory(repository).path
    }

    /// `envFile`, absolute, once it is known to be readable.
    func resolvedEnvFile() throws(StackError) -> String? {
        guard let envFile else { return nil }
        guard FileManager.default.isReadableFile(atPath: envFile) else { throw StackError("--env-file \(envFile): cannot read it") }
        let url = URL(fileURLWithPath: envFile)
        return StackDirectory(url.deletingLastPathComponent().path).path + "/" + url.lastPathComponent
    }
}
