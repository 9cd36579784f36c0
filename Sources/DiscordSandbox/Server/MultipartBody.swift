import NIOCore
import WireFormats

/// A whole `multipart/form-data` body (RFC 7578) split into its parts, as a bot sends files (docs: `resources/message` "Create Message"):
/// the aggregated body fed to `MultipartParser` at once.
struct MultipartBody {
    struct Part {
        /// The `name` of its `Content-Disposition`.
        let name: String
        /// Set for file parts: the name as sent.
        let filename: String?
        let contentType: String?
        var body = ByteBuffer()
    }

    let parts: [Part]

    init(_ body: ByteBuffer, boundary: String) throws(MultipartError) {
        var parser = MultipartParser(boundary: boundary)
        let events = try body.withUnsafeReadableBytes { raw in
            Result { () throws(MultipartError) in try parser.feed(raw) }
        }.get()
        try parser.finish()
        var parts: [Part] = []
        for event in events {
            switch event {
            case .part(let headers):
                parts.append(Part(name: headers.name, filename: headers.filename, contentType: headers.contentType))
            case .data(let bytes):
                parts[parts.count - 1].body.writeBytes(bytes)
            case .partEnd, .end:
                continue
            }
        }
        self.parts = parts
    }
}
