import Logging

/// What every part of a stack works with.
struct StackContext: Sendable {
    let directory: StackDirectory
    let privileges: Privileges
    /// How long one wait may take (STACK_TIMEOUT).
    let timeout: Duration
    let poll: Poll
    let logger: Logger

    func service(_ name: ServiceName) -> ServiceProcess {
        ServiceProcess(name: name, directory: directory, logger: logger)
    }
}
