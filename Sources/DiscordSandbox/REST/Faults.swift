import JSONSupport
import NIOHTTP1

/// A failure to inject into the next `count` requests for one method and path, or into each such request
/// with some `probability` until faults are cleared (body of `POST /_sandbox/faults`).
struct Fault: Sendable {
    /// How many requests the fault still applies to, or the chance it applies to each.
    enum Budget: Sendable {
        case count(Int)
        case probability(Double)
    }

    enum Kind: String, Sendable, Decodable {
        /// Answer with `status` and `body` instead of handling the request.
        case status
        /// Close the connection (TCP reset) without answering.
        case reset
        /// Wait `delay_ms`, then handle the request normally.
        case delay
        /// Answer 429 as an exhausted bucket would, with `retry_after` = `delay_ms` / 1000.
        case ratelimit
        /// Handle the request, then answer `status` and `body` instead of its response: the change is made but
        /// the client cannot know it (a 5xx from a proxy that lost Discord's answer).
        case lostAnswer = "lost_answer"
    }

    /// `nil` matches every method.
    let method: String?
    /// Matched against the decoded path without the query, and against the path below `/api/v10` or `/api`.
    /// A `*` or `{name}` segment matches any one segment: `/channels/*/messages`, `/channels/{id}/messages`.
    let path: String
    var budget: Budget
    let kind: Kind
    let status: HTTPResponseStatus
    let body: JSON?
    /// How long `status`, `reset` and `delay` wait first; for `ratelimit`, the advertised `retry_after`.
    let delayMilliseconds: Int
    /// For `ratelimit`: whose limit the 429 says was hit (`X-RateLimit-Scope`); `"global": true` is the
    /// same as `"scope": "global"`.
    let scope: RateLimitRejection.Scope

    func matches(method: HTTPMethod, path: String, routePath: Substring) -> Bool {
        guard self.method.map({ $0 == method.rawValue }) ?? true else { return false }
        return Self.pattern(self.path, matches: path[...]) || Self.pattern(self.path, matches: routePath)
    }

    private static func pattern(_ pattern: String, matches path: Substring) -> Bool {
        let patternSegments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let pathSegments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard patternSegments.count == pathSegments.count else { return false }
        return zip(patternSegments, pathSegments).allSatisfy { expected, actual in
            let isWildcard = expected == "*" || (expected.count > 2 && expected.hasPrefix("{") && expected.hasSuffix("}"))
            return isWildcard ? !actual.isEmpty : expected == actual
        }
    }

    var json: JSON {
        let remaining: JSON
        let probability: JSON
        switch budget {
        case .count(let count): (remaining, probability) = (.int(count), .null)
        case .probability(let chance): (remaining, probability) = (.null, .number(chance))
        }
        return [
            "method": method.json,
            "path": .string(path),
            "remaining": remaining,
            "probability": probability,
            "kind": .string(kind.rawValue),
            "status": .int(Int(status.code)),
            "body": body ?? .null,
            "delay_ms": .int(delayMilliseconds),
            "global": .bool(scope == .global),
            "scope": .string(scope.rawValue),
        ]
    }
}

extension Fault: Decodable {
    private enum CodingKeys: String, CodingKey {
        case method, path, count, probability, kind, status, body, global, scope
        case delayMilliseconds = "delay_ms"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decodeIfPresent(String.self, forKey: .method)?.uppercased()
        path = try container.decode(String.self, forKey: .path)
        guard path.hasPrefix("/") else {
            throw DecodingError.dataCorruptedError(forKey: .path, in: container, debugDescription: "must start with /")
        }
        if let probability = try container.decodeIfPresent(Double.self, forKey: .probability) {
            guard probability > 0, probability <= 1 else {
                throw DecodingError.dataCorruptedError(forKey: .probability, in: container, debugDescription: "must be in (0, 1]")
            }
            guard !container.contains(.count) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .count,
                    in: container,
                    debugDescription: "give either count or probability"
                )
            }
            budget = .probability(probability)
        } else {
            let count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 1
            guard count >= 1 else {
                throw DecodingError.dataCorruptedError(forKey: .count, in: container, debugDescription: "must be at least 1")
            }
            budget = .count(count)
        }
        kind = try container.decode(Kind.self, forKey: .kind)
        let code = try container.decodeIfPresent(Int.self, forKey: .status) ?? 500
        guard (100...599).contains(code) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: container, debugDescription: "must be 100...599")
        }
        status = HTTPResponseStatus(statusCode: code)
        body = try container.decodeIfPresent(JSON.self, forKey: .body)
        delayMilliseconds = try container.decodeIfPresent(Int.self, forKey: .delayMilliseconds) ?? 0
        guard (0...600_000).contains(delayMilliseconds) else {
            throw DecodingError.dataCorruptedError(
                forKey: .delayMilliseconds,
                in: container,
                debugDescription: "must be 0...600000"
            )
        }
        let global = try container.decodeIfPresent(Bool.self, forKey: .global) ?? false
        scope = try container.decodeIfPresent(RateLimitRejection.Scope.self, forKey: .scope) ?? (global ? .global : .user)
    }
}

/// Armed faults, first armed first applied.
struct FaultQueue: Sendable {
    private(set) var faults: [Fault] = []

    mutating func arm(_ fault: Fault) {
        faults.append(fault)
    }

    mutating func removeAll() {
        faults = []
    }

    /// The first matching fault that applies to the request, if any: a counted one is used up by one, a
    /// probabilistic one applies by chance (when it does not, the next matching fault gets its turn).
    mutating func take(method: HTTPMethod, path: String, routePath: Substring) -> Fault? {
        for index in faults.indices where faults[index].matches(method: method, path: path, routePath: routePath) {
            let fault = faults[index]
            switch fault.budget {
            case .probability(let chance):
                guard Double.random(in: 0..<1) < chance else { continue }
            case .count(let count):
                if count == 1 {
                    faults.remove(at: index)
                } else {
                    faults[index].budget = .count(count - 1)
                }
            }
            return fault
        }
        return nil
    }
}
