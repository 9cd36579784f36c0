/// Why an nginx template could not be rendered.
public enum NginxTemplateError: Error, CustomStringConvertible, Equatable, Sendable {
    case unreadable(path: String)
    case malformedAssignment(String)
    case badTokenName(String)
    case lineBreakInValue(token: String)
    /// Placeholders with no value, which have no default.
    case missingValues(path: String, tokens: [String])

    public var description: String {
        switch self {
        case .unreadable(let path): return "cannot read \(path)"
        case .malformedAssignment(let text): return "expected TOKEN=VALUE, got '\(text)'"
        case .badTokenName(let name): return "bad token name '\(name)' (capitals, digits and _, starting with a capital)"
        case .lineBreakInValue(let token): return "the value of \(token) has a line break"
        case .missingValues(let path, let tokens): return "\(path): no value for: " + tokens.map { "@\($0)@" }.joined(separator: " ")
        }
    }
}
