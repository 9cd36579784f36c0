import JSONSupport

/// One line of `guildgate-web doctor`: what was checked, and either what is fine or what is wrong with the
/// exact fix.
public struct DoctorCheck: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case ok(String)
        case problem(String, fix: String)
        /// Not checked because an earlier check failed (`reason` names it).
        case skipped(reason: String)
    }

    public let name: String
    public let outcome: Outcome

    public var isProblem: Bool {
        if case .problem = outcome { return true }
        return false
    }

    /// `ok      bot token: …` / `PROBLEM guild: … Fix: …` / `skipped …`.
    public var line: String {
        switch outcome {
        case .ok(let detail): return "ok       \(name): \(detail)"
        case .problem(let detail, let fix): return "PROBLEM  \(name): \(detail) Fix: \(fix)"
        case .skipped(let reason): return "skipped  \(name): \(reason)"
        }
    }

    public var json: JSON {
        switch outcome {
        case .ok(let detail):
            return ["name": .string(name), "status": "ok", "detail": .string(detail)]
        case .problem(let detail, let fix):
            return ["name": .string(name), "status": "problem", "detail": .string(detail), "fix": .string(fix)]
        case .skipped(let reason):
            return ["name": .string(name), "status": "skipped", "detail": .string(reason)]
        }
    }
}
