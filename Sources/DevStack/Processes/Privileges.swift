import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Who the stack runs as. As root, the services that must not run as root run as other users: PostgreSQL as
/// `postgres` (it refuses root), nginx's workers as `nobody:nogroup`, whose group then owns the FastCGI sockets.
struct Privileges: Sendable {
    let isRoot = geteuid() == 0

    /// The group of the FastCGI sockets: that of nginx's workers.
    var socketGroup: String {
        isRoot ? "nogroup" : Self.groupName(getegid()) ?? String(getegid())
    }

    /// The `user` line of nginx.conf: workers as nobody:nogroup when nginx starts as root.
    var nginxUserDirective: String { isRoot ? "user nobody nogroup;" : "" }

    /// The user who runs PostgreSQL: `postgres` as root, else whoever runs the stack.
    func postgresUser() throws(StackError) -> String {
        guard isRoot else { return Self.userName(geteuid()) ?? String(geteuid()) }
        guard Self.ids(of: "postgres") != nil else {
            throw StackError("user 'postgres' does not exist (run scripts/install-deps)")
        }
        return "postgres"
    }

    /// `invocation` run as `user`: through runuser, from /, when that is not who runs the stack.
    func invocation(_ invocation: Invocation, as user: String) throws(StackError) -> Invocation {
        guard isRoot, user != Self.userName(geteuid()) else { return invocation }
        guard let runuser = ExecutableSearch.find("runuser", in: invocation.environment, fallback: ["/usr/sbin", "/sbin"]) else {
            throw StackError("runuser not found (it comes with util-linux)")
        }
        return Invocation(
            runuser, ["-u", user, "--", invocation.executable] + invocation.arguments, environment: invocation.environment, directory: "/")
    }

    /// Whether `user` can reach `path` (search every directory on the way to it), as a service running as `user` must.
    func canReach(_ path: String, as user: String, environment: [String: String], poll: Poll) throws(StackError) -> Bool {
        guard let test = ExecutableSearch.find("test", in: environment, fallback: ["/usr/bin"]) else { return false }
        let check = try invocation(Invocation(test, ["-x", path], environment: environment), as: user)
        return try Command.run(check, output: .discard, timeout: .seconds(10), poll: poll).succeeded
    }

    /// Gives `path` to `user` (and that user's group).
    func changeOwner(of path: String, to user: String) throws(StackError) {
        guard let (uid, gid) = Self.ids(of: user) else { throw StackError("user '\(user)' does not exist") }
        guard chown(path, uid, gid) == 0 else {
            throw StackError("cannot give \(path) to user \(user): \(String(cString: strerror(errno)))")
        }
    }

    /// Gives `path` to `group`, keeping its owner.
    func changeGroup(of path: String, to group: String) throws(StackError) {
        guard let gid = getgrnam(group)?.pointee.gr_gid else { throw StackError("group '\(group)' does not exist") }
        guard chown(path, uid_t.max, gid) == 0 else {
            throw StackError("cannot give \(path) to group \(group): \(String(cString: strerror(errno)))")
        }
    }

    /// The name of the user who owns `path`.
    static func owner(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return userName(info.st_uid)
    }

    static func userExists(_ name: String) -> Bool { ids(of: name) != nil }

    private static func ids(of user: String) -> (uid_t, gid_t)? {
        guard let entry = getpwnam(user) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    private static func userName(_ uid: uid_t) -> String? {
        getpwuid(uid).map { String(cString: $0.pointee.pw_name) }
    }

    private static func groupName(_ gid: gid_t) -> String? {
        getgrgid(gid).map { String(cString: $0.pointee.gr_name) }
    }
}
