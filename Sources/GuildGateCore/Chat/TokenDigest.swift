import Crypto

/// A bearer token's SHA-256: what the sync API keys its caches and rate limits on, so no token is held in
/// memory longer than its request.
public struct TokenDigest: Hashable, Sendable {
    let bytes: [UInt8]

    public init(_ token: String) {
        bytes = Array(SHA256.hash(data: Array(token.utf8)))
    }
}

extension TokenDigest {
    /// Keeps a table by token within `capacity` before one more goes in: when it is full, the entries that
    /// are no longer live go, and if that is not enough, half of the rest.
    static func makeRoom<Value>(in table: inout [TokenDigest: Value], capacity: Int, isLive: (Value) -> Bool) {
        guard table.count >= capacity else { return }
        table = table.filter { isLive($0.value) }
        if table.count >= capacity { table = Dictionary(uniqueKeysWithValues: table.dropFirst(table.count / 2).map { ($0.key, $0.value) }) }
    }
}
