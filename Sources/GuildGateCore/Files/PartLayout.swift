/// How a file is cut: plaintext per part so that a sealed part fits `DISCORD_ATTACHMENT_LIMIT`, and parts
/// per message so that a message stays under Discord's 25 MiB request limit (at most 10 attachments).
public struct PartLayout: Equatable, Sendable {
    static let requestLimit = 25 * 1024 * 1024
    /// Room for the multipart framing and payload_json of one message.
    static let requestOverhead = 64 * 1024

    public let plainPartSize: Int
    let partsPerMessage: Int
    /// Bytes of a full message's request body.
    let messageCapacity: Int

    public init(attachmentLimit: Int) {
        plainPartSize = FileCipher.plainPartSize(attachmentLimit: attachmentLimit)
        partsPerMessage = min(10, max(1, (Self.requestLimit - Self.requestOverhead) / attachmentLimit))
        messageCapacity = partsPerMessage * FileCipher.sealedSize(plain: plainPartSize) + Self.requestOverhead
    }
}
