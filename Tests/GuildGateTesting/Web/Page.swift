import Foundation

/// A response as a test sees it: header names in lowercase, repeated headers joined with ", ".
public struct Page {
    public let status: Int
    public let headers: [String: String]
    public let bytes: [UInt8]

    public init(status: Int, headers: [String: String], bytes: [UInt8]) {
        self.status = status
        self.headers = headers
        self.bytes = bytes
    }

    /// Header fields as they came, names in any case and repeated ones apart.
    public init(status: Int, fields: [(String, String)], bytes: [UInt8]) {
        var headers: [String: String] = [:]
        for (name, value) in fields {
            let key = name.lowercased()
            headers[key] = headers[key].map { $0 + ", " + value } ?? value
        }
        self.init(status: status, headers: headers, bytes: bytes)
    }

    public var body: String { String(decoding: bytes, as: UTF8.self) }

    public var location: String? { headers["location"] }
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// The query items of the redirect target.
    public var locationQuery: [String: String] {
        guard let location, let components = URLComponents(string: location) else { return [:] }
        var items: [String: String] = [:]
        for item in components.queryItems ?? [] { items[item.name] = item.value ?? "" }
        return items
    }
}
