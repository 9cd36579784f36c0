/// A picture from the image model, ready to attach to a Discord message.
public struct GeneratedImage: Sendable, Equatable {
    public let bytes: [UInt8]
    /// `image.png`, `image.jpg` or `image.webp`, after the format of `bytes`.
    public let fileName: String
    public let contentType: String

    public init(bytes: [UInt8], fileName: String, contentType: String) {
        self.bytes = bytes
        self.fileName = fileName
        self.contentType = contentType
    }
}
