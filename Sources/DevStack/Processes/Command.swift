#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A short-lived program the stack runs and waits for (initdb, pg_ctl, `nginx -t`, `guildgate-web migrate`). It is
/// stopped, SIGTERM then SIGKILL, when it outlives its timeout or the stack is asked to stop.
enum Command {
    static func run(
        _ invocation: Invocation, output: ChildProcess.Output, timeout: Duration, poll: Poll, inherited: Int32? = nil
    ) throws(StackError) -> Termination {
        let child = try ChildProcess.spawn(invocation, output: output, inherited: inherited)
        var termination: Termination?
        do {
            _ = try poll.wait(upTo: timeout, every: .milliseconds(20)) {
                termination = child.termination()
                return termination != nil
            }
        } catch {
            stop(child)
            throw error
        }
        return termination ?? stop(child)
    }

    @discardableResult
    private static func stop(_ child: ChildProcess) -> Termination {
        kill(child.pid, SIGTERM)
        var termination: Termination?
        let ended = Poll.uninterrupted(upTo: .seconds(5), every: .milliseconds(20)) {
            termination = child.termination()
            return termination != nil
        }
        if !ended { kill(child.pid, SIGKILL) }
        return termination ?? child.waitForExit()
    }
}
