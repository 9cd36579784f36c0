#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The signal that asks a service to stop: SIGTERM, or SIGQUIT for nginx (a graceful shutdown: its workers finish
/// the requests they have).
enum StopSignal: Sendable {
    case terminate
    case quit

    var number: Int32 {
        switch self {
        case .terminate: return SIGTERM
        case .quit: return SIGQUIT
        }
    }

    var name: String {
        switch self {
        case .terminate: return "SIGTERM"
        case .quit: return "SIGQUIT"
        }
    }
}
