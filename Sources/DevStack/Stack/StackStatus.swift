/// What `status` reports: each process of a stack, and its address while nginx runs.
public struct StackStatus: Sendable {
    public let services: [(name: ServiceName, state: State)]
    /// WEB_URL, while nginx runs.
    public let url: String?

    public enum State: Sendable, Equatable {
        case running(Int32?)
        /// Its pid file is there, but the process is gone.
        case dead
        case notRunning
    }

    /// One line per process, then the address: `web: running (pid 4242)`, `url: http://127.0.0.1:8080`.
    public var lines: [String] {
        services.map { service in
            switch service.state {
            case .running(let pid): return "\(service.name.rawValue): running (pid \(pid.map(String.init) ?? "?"))"
            case .dead: return "\(service.name.rawValue): dead (stale pid file)"
            case .notRunning: return "\(service.name.rawValue): not running"
            }
        } + (url.map { ["url: \($0)"] } ?? [])
    }

    /// A process died without `down`: `status` then exits 1.
    public var hasDeadProcess: Bool { services.contains { $0.state == .dead } }
}
