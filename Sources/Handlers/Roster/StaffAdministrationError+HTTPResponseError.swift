import GuildGateCore

/// Refusals of the staff admin: bad details name their fields, a refused import names each bad line.
extension StaffAdministrationError: HTTPResponseError {
    public var status: HTTPStatus {
        switch self {
        case .invalid, .importRefused: return .badRequest
        case .notFound: return .notFound
        case .discordIDTaken: return .conflict
        }
    }

    public var code: String {
        switch self {
        case .invalid: return "validation_failed"
        case .importRefused: return "import_refused"
        case .notFound: return "not_found"
        case .discordIDTaken: return "discord_id_taken"
        }
    }

    public var publicMessage: String {
        switch self {
        case .invalid: return "Some fields are invalid."
        case .notFound(let id): return "There is no staff member \(id)."
        case .discordIDTaken(let discordID):
            return "Another staff member already has Discord id \(discordID): edit that member instead."
        case .importRefused(let invalid):
            return "Nothing was imported: fix the \(invalid.problems.count) problem(s) listed by line and import the file again."
        }
    }

    public var fieldErrors: [FieldError] {
        switch self {
        case .invalid(let problems): return problems.map { FieldError($0.field, $0.message) }
        case .importRefused(let invalid):
            // One entry per line (a line may break several rules), in the file's order.
            var lines: [(line: Int, messages: [String])] = []
            for problem in invalid.problems {
                if lines.last?.line == problem.line {
                    lines[lines.count - 1].messages.append(problem.message)
                } else {
                    lines.append((problem.line, [problem.message]))
                }
            }
            return lines.map { FieldError("line \($0.line)", $0.messages.joined(separator: "; ")) }
        case .notFound, .discordIDTaken: return []
        }
    }
}
