import JSONSupport
import WireFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The body of a Discord request with its content type.
public struct RequestBody: Sendable {
    public let contentType: String?
    public let bytes: [UInt8]

    public init(bytes: [UInt8], contentType: String?) {
        self.bytes = bytes
        self.contentType = contentType
    }

    /// No body.
    public static let empty = RequestBody(bytes: [], contentType: nil)

    /// Ready-made JSON text.
    public static func json(_ bytes: [UInt8]) -> RequestBody {
        RequestBody(bytes: bytes, contentType: "application/json")
    }

    /// A JSON value.
    public static func json(_ value: JSON) -> RequestBody {
        .json(Array(value.serialized.utf8))
    }

    /// `value` encoded as JSON.
    public static func json(encoding value: some Encodable) throws(DiscordError) -> RequestBody {
        do {
            return .json(Array(try JSONEncoder().encode(value)))
        } catch {
            throw .invalidRequest("the body does not encode as JSON (\(error))")
        }
    }

    /// `application/x-www-form-urlencoded` fields.
    public static func form(_ fields: [(name: String, value: String)]) -> RequestBody {
        RequestBody(bytes: Array(FormEncoding.encode(fields).utf8), contentType: "application/x-www-form-urlencoded")
    }
}
