import JSONSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One call of the OpenAI-compatible backend, as `GET /_sandbox/chat/requests` lists it.
struct ChatRequestRecord: Sendable {
    let path: String
    /// The JSON body as sent; `null` when it was not JSON.
    let body: JSON
    let at: Date

    var json: JSON {
        [
            "path": .string(path),
            "body": body,
            "at": .string(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(at)),
        ]
    }
}

/// The OpenAI-compatible backend's part of the state: the calls it received and the images it generated.
struct ChatBackendStore: Sendable {
    /// Oldest calls are dropped beyond this.
    static let capacity = 10_000

    private(set) var requests: [ChatRequestRecord] = []
    private var images: [String: [UInt8]] = [:]

    mutating func record(_ request: ChatRequestRecord) {
        if requests.count == Self.capacity { requests.removeFirst() }
        requests.append(request)
    }

    mutating func clearRequests() {
        requests = []
    }

    /// Keeps a generated image for `GET /openai/files/<id>.png`.
    mutating func storeImage(_ bytes: [UInt8], id: String) {
        images[id] = bytes
    }

    func image(id: String) -> [UInt8]? {
        images[id]
    }
}
