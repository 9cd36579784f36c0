/// Why `RosterPublisher` could not hand an event to nginx.
enum RosterPublisherError: Error, CustomStringConvertible {
    /// nginx's publisher location answered with this status, not 2xx.
    case refused(status: Int)

    var description: String {
        switch self {
        case .refused(let status): return "nginx's publisher location answered HTTP \(status)"
        }
    }
}
