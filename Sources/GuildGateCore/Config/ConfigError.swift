/// A setting that is missing or malformed, named so the operator knows what to fix.
public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case missing(String)
    case invalid(String, reason: String)
    case unreadableFile(String)

    public var description: String {
        switch self {
        case .missing(let name): return "\(name) is not set (see .env.example)"
        case .invalid(let name, let reason): return "\(name) is invalid: \(reason)"
        case .unreadableFile(let path): return "cannot read the settings file \(path)"
        }
    }
}
