import JSONSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension JSON {
    /// The value decoded as a `Value`, as if it had come as a response body on its own.
    public func decoded<Value: Decodable>(as type: Value.Type) throws(DiscordError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(serialized(escapingHTML: false).utf8))
        } catch {
            throw .invalidResponse(status: 200, reason: "not a \(Value.self) (\(error))")
        }
    }
}
