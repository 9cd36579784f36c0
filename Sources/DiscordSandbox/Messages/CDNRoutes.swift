import NIOHTTP1
import WireFormats

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The attachment CDN (docs: `reference` "Signed Attachment CDN URLs"), on the sandbox's own port: signed URLs only, `Range` honoured.
enum CDNRoutes {
    static let path = "/attachments/{channel.id}/{attachment.id}/{filename}"

    static var routes: [Route] {
        [.cdn(.GET, path, handler: serve), .cdn(.HEAD, path, handler: serve)]
    }

    /// What Discord's CDN answers for an expired, unsigned or wrongly signed URL, and for a deleted file.
    static var unavailable: SandboxResponse {
        SandboxResponse(
            status: .notFound,
            headers: ["Content-Type": "text/plain; charset=utf-8"],
            body: .init(string: "This content is no longer available.")
        )
    }

    /// The bytes (a slice of the stored buffer, not a copy), whole or the one range asked for.
    @Sendable
    static func serve(_ context: RequestContext) async throws -> SandboxResponse {
        let channelID = context.parameters["channel.id"] ?? ""
        let attachmentID = context.parameters["attachment.id"] ?? ""
        let query = context.request.query
        let now = Date()
        let attachment = context.state.withLock { parts -> SandboxAttachment? in
            guard
                parts.cdn.accepts(
                    channelID: channelID,
                    attachmentID: attachmentID,
                    expires: query["ex"],
                    issued: query["is"],
                    signature: query["hm"],
                    now: now
                )
            else { return nil }
            return parts.channels.attachment(id: attachmentID, in: channelID)
        }
        guard let attachment, attachment.filename == context.parameters["filename"] else {
            context.logger.debug("refusing CDN request", metadata: ["channel_id": "\(channelID)", "attachment_id": "\(attachmentID)"])
            return unavailable
        }

        let length = attachment.size
        var headers: HTTPHeaders = [
            "Content-Type": attachment.contentType ?? "application/octet-stream",
            "Accept-Ranges": "bytes",
        ]
        switch ByteRangeRequest.resolve(context.request.headers.first(name: "range"), length: length) {
        case .whole:
            return SandboxResponse(status: .ok, headers: headers, body: attachment.bytes)
        case .partial(let lower, let upper):
            let bytes = attachment.bytes.getSlice(at: attachment.bytes.readerIndex + lower, length: upper - lower + 1)
            headers.add(name: "Content-Range", value: "bytes \(lower)-\(upper)/\(length)")
            return SandboxResponse(status: .partialContent, headers: headers, body: bytes ?? .init())
        case .unsatisfiable:
            headers.add(name: "Content-Range", value: "bytes */\(length)")
            return SandboxResponse(status: .rangeNotSatisfiable, headers: headers)
        }
    }
}
