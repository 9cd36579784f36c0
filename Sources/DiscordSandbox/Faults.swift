import NIOHTTP1

/// A failure to inject into the next `count` requests for one method and path
/// (body of `POST /_sandbox/faults`).
struct Fault: Sendable {
    enum Kind: String, Sendable, Decodable {
        /// Answer with `status` and `body` instead of handling the request.
        case status
        /// Close the connection (TCP reset) without answering.
        case reset
        /// Wait `delay_ms`, then handle the request normally.
        case delay
        /// Answer 429 as an exhausted bucket would, with `retry_after` = `delay_ms` / 1000.
        case ratelimit
    }

    /// `nil` matches every method.
    let method: String?
    /// Matched exactly against the decoded path, without the query.
    let path: String
    var remaining: Int
    let kind: Kind
    let status: HTTPResponseStatus
    let body: JSONValue?
    /// How long `status`, `reset` and `delay` wait first; for `ratelimit`, the advertised `retry_after`.
    let delayMilliseconds: Int
    /// For `ratelimit`: send the global-limit 429 instead of a route bucket's.
    let global: Bool

    func matches(method: HTTPMethod, path: String) -> Bool {
        remaining > 0 && path == self.path && (self.method.map { $0 == method.rawValue } ?? true)
    }

    var json: JSONValue {
        [
            "method": .optional(method),
            "path": .string(path),
            "remaining": .integer(remaining),
            "kind": .string(kind.rawValue),
            "status": .integer(Int(status.code)),
            "body": body ?? .null,
            "delay_ms": .integer(delayMilliseconds),
            "global": .bool(global),
        ]
    }
}

extension Fault: Decodable {
    private enum CodingKeys: String, CodingKey {
        case method, path, count, kind, status, body, global
        case delayMilliseconds = "delay_ms"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        method = try container.decodeIfPresent(String.self, forKey: .method)?.uppercased()
        path = try container.decode(String.self, forKey: .path)
        guard path.hasPrefix("/") else {
            throw DecodingError.dataCorruptedError(forKey: .path, in: container, debugDescription: "must start with /")
        }
        remaining = try container.decodeIfPresent(Int.self, forKey: .count) ?? 1
        guard remaining >= 1 else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: container, debugDescription: "must be at least 1")
        }
        kind = try container.decode(Kind.self, forKey: .kind)
        let code = try container.decodeIfPresent(Int.self, forKey: .status) ?? 500
        guard (100...599).contains(code) else {
            throw DecodingError.dataCorruptedError(forKey: .status, in: container, debugDescription: "must be 100...599")
        }
        status = HTTPResponseStatus(statusCode: code)
        body = try container.decodeIfPresent(JSONValue.self, forKey: .body)
        delayMilliseconds = try container.decodeIfPresent(Int.self, forKey: .delayMilliseconds) ?? 0
        guard (0...600_000).contains(delayMilliseconds) else {
            throw DecodingError.dataCorruptedError(
                forKey: .delayMilliseconds,
                in: container,
                debugDescription: "must be 0...600000"
            )
        }
        global = try container.decodeIfPresent(Bool.self, forKey: .global) ?? false
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

    /// Uses up one application of the first fault matching the request, if any.
    mutating func take(method: HTTPMethod, path: String) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
        let fault = faults[index]
        faults[index].remaining -= 1
        if faults[index].remaining == 0 { faults.remove(at: index) }
        return fault
    }
}
