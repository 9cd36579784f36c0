import CPosixSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A process started with `posix_spawn`: standard input from /dev/null, standard output and error appended to a file
/// or discarded, every signal at its default disposition and none blocked (whatever this process ignores or blocks: a
/// shell's `&` ignores SIGINT, a test runner's threads block signals), and no descriptor of this process but the one
/// handed over on purpose, so that no service keeps open a pipe its caller waits on.
public struct ChildProcess: Sendable {
    public enum Output: Sendable {
        case discard
        /// Appended to the file at this path, created if needed.
        case append(String)
    }

    public let pid: pid_t

    init(pid: pid_t) {
        self.pid = pid
    }

    /// Starts `invocation`. With `newSession` the child leads a session and process group of its own: a terminal's
    /// Ctrl-C does not reach it, and its group can be signalled as one. `inherited`, if given, becomes the child's
    /// descriptor 3.
    public static func spawn(
        _ invocation: Invocation, output: Output, newSession: Bool = false, inherited: Int32? = nil
    ) throws(StackError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        switch output {
        case .discard: posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        case .append(let path): posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        }
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let inherited { posix_spawn_file_actions_adddup2(&actions, inherited, 3) }
        cposixspawn_file_actions_addclosefrom(&actions, inherited == nil ? 3 : 4)
        if let directory = invocation.directory { cposixspawn_file_actions_addchdir(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= cposixspawn_setsid }
        posix_spawnattr_setflags(&attributes, flags)

        let argv = ([invocation.executable] + invocation.arguments).map { strdup($0) } + [nil]
        let envp = invocation.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, invocation.executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw StackError("cannot start \(invocation.executable): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid)
    }

    /// How it ended, once it has (collecting its status); nil while it runs.
    public func termination() -> Termination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { return Termination(waitStatus: status) }
            if result == 0 { return nil }
            if errno != EINTR { return .unknown }
        }
    }

    /// Waits for it to end.
    public func waitForExit() -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return .unknown }
        }
        return Termination(waitStatus: status)
    }
}
