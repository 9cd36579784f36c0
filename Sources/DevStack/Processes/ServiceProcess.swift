import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One long-lived process of the stack. It starts in a session of its own (a Ctrl-C in the terminal does not reach
/// it, and what it starts can be killed with it) in DIR, with its output appended to DIR/logs/NAME.log and the lock
/// of DIR/pids/NAME.pid; it stops on its stop signal, or is killed with its session 10 s later.
struct ServiceProcess: Sendable {
    let name: ServiceName
    let directory: StackDirectory
    let logger: Logger

    /// How long a service has to stop before it is killed.
    static let stopTimeout = Duration.seconds(10)

    var log: String { directory.log(name.rawValue) }
    var pidFile: PidFile { directory.pidFile(name) }

    var isRunning: Bool {
        if case .running = pidFile.state { return true }
        return false
    }

    func start(_ invocation: Invocation) throws(StackError) -> ChildProcess {
        LogFile.mark("starting: \(invocation.commandLine)", in: log)
        let claim = try pidFile.claim(for: name)
        var invocation = invocation
        invocation.directory = directory.path
        let child = try ChildProcess.spawn(invocation, output: .append(log), newSession: true, inherited: claim.descriptor)
        claim.record(child.pid)
        return child
    }

    /// Sends `signal`, waits for the service to end, kills its session if it does not, and removes the pid file.
    func stop(_ signal: StopSignal) {
        if case .running(let pid?) = pidFile.state {
            kill(pid, signal.number)
            if !Poll.uninterrupted(upTo: Self.stopTimeout, until: { !isRunning }) {
                logger.warning("\(name.rawValue) (pid \(pid)) did not stop within 10 s of \(signal.name); killing it")
                if kill(-pid, SIGKILL) != 0 { kill(pid, SIGKILL) }
                _ = Poll.uninterrupted(upTo: .seconds(5), until: { !isRunning })
            }
            // Leftovers of its session (nginx's workers after a killed master, say).
            kill(-pid, SIGKILL)
            // A service this process started stays a zombie until collected; one started by another is not ours.
            _ = Poll.uninterrupted(upTo: .seconds(1), every: .milliseconds(10)) { ChildProcess(pid: pid).termination() != nil }
        }
        pidFile.remove()
    }
}
