import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where the cluster, the FastCGI sockets and nginx's prefix really are: DIR/pg, DIR/run and DIR/nginx, unless the
/// users the services run as (postgres, nobody) cannot reach DIR (a checkout under /root) or DIR is too long for a
/// unix socket's path (108 bytes). Then they live in a private directory under /tmp, recorded in DIR/side.path, and
/// DIR/pg, DIR/run and DIR/nginx are symbolic links to it.
struct RuntimeDirectories: Sendable {
    let postgres: String
    let sockets: String
    let nginx: String

    /// guildgate-web's sockets and nginx's publisher socket, at their real paths (which the length of a socket's
    /// path is about).
    var webSocket: String { sockets + "/" + StackDirectory.webSocketName }
    var transferSocket: String { sockets + "/" + StackDirectory.transferSocketName }
    var eventsSocket: String { sockets + "/" + StackDirectory.eventsSocketName }

    /// Prefix of the private directories, which `down --purge` deletes with DIR.
    static let sidePrefix = "/tmp/guildgate-stack."

    /// Room a socket path needs beyond DIR: `/pg/run/.s.PGSQL.NNNNN` and `/run/transfer.sock` fit in it.
    private static let socketSuffixLength = 30

    /// Makes DIR's directories, and the private ones if they are needed.
    static func prepare(
        in directory: StackDirectory, privileges: Privileges, environment: [String: String], poll: Poll, logger: Logger
    ) throws(StackError) -> RuntimeDirectories {
        try FileSystem.makeDirectory(directory.pids)
        try FileSystem.makeDirectory(directory.logs)
        var side = FileSystem.read(directory.sidePath)?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let existing = side, !FileManager.default.fileExists(atPath: existing) { side = nil }
        if side == nil, try needsSideDirectory(directory, privileges: privileges, environment: environment, poll: poll) {
            let created = try makeSideDirectory()
            try FileSystem.save(created + "\n", to: directory.sidePath)
            logger.notice("\(directory.path) is not reachable by the service users or too long for socket paths; using \(created)")
            side = created
        }
        let links = [directory.postgres, directory.sockets, directory.nginx]
        guard let side else {
            for path in links { try FileSystem.makeDirectory(path) }
            return RuntimeDirectories(postgres: links[0], sockets: links[1], nginx: links[2])
        }
        let targets = links.map { side + "/" + URL(fileURLWithPath: $0).lastPathComponent }
        for (link, target) in zip(links, targets) {
            try FileSystem.makeDirectory(target)
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil {
                FileSystem.remove(link)
                guard symlink(target, link) == 0 else {
                    throw StackError("cannot link \(link) to \(target): \(String(cString: strerror(errno)))")
                }
            }
        }
        return RuntimeDirectories(postgres: targets[0], sockets: targets[1], nginx: targets[2])
    }

    private static func needsSideDirectory(
        _ directory: StackDirectory, privileges: Privileges, environment: [String: String], poll: Poll
    ) throws(StackError) -> Bool {
        if directory.path.utf8.count + socketSuffixLength > 107 { return true }
        guard privileges.isRoot else { return false }
        // A fresh mktemp -d is 0700: let other users through it (not list it).
        var info = stat()
        if stat(directory.path, &info) == 0, info.st_mode & S_IXOTH == 0 {
            chmod(directory.path, (info.st_mode & 0o7777) | S_IXOTH)
        }
        for user in ["postgres", "nobody"] where Privileges.userExists(user) {
            if try !privileges.canReach(directory.path, as: user, environment: environment, poll: poll) { return true }
        }
        return false
    }

    private static func makeSideDirectory() throws(StackError) -> String {
        var template = Array((sidePrefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw StackError("cannot create a directory under /tmp: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: made)
        chmod(path, 0o755)
        return path
    }
}
