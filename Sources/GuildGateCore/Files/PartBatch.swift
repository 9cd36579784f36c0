import Crypto
import DiscordKit

/// Encrypted parts bound for one Discord message, written straight into its request body.
struct PartBatch {
    struct Part {
        let index: Int
        let size: Int
        let sha256: [UInt8]
    }

    let fileID: Int
    let firstIndex: Int
    private var draft: MessageDraft
    private(set) var parts: [Part] = []

    init(fileID: Int, firstIndex: Int, capacity: Int) {
        self.fileID = fileID
        self.firstIndex = firstIndex
        draft = MessageDraft(
            content: StorageMessage.content(fileID: fileID, firstPart: firstIndex),
            nonce: StorageMessage.nonce(fileID: fileID, firstPart: firstIndex), reservingCapacity: capacity)
    }

    static func filename(fileID: Int, index: Int) -> String { "gg-\(fileID)-\(index).bin" }

    private var open: (index: Int, size: Int, digest: SHA256)?

    /// Starts part `index`; its sealed chunks follow with `append`, then `endPart`.
    mutating func beginPart(index: Int) {
        draft.beginFile(filename: Self.filename(fileID: fileID, index: index))
        open = (index, 0, SHA256())
    }

    mutating func append(_ sealed: UnsafeRawBufferPointer) {
        draft.append(sealed)
        open?.size += sealed.count
        open?.digest.update(bufferPointer: sealed)
    }

    mutating func endPart() {
        guard let part = open else { return }
        draft.endFile()
        parts.append(Part(index: part.index, size: part.size, sha256: Array(part.digest.finalize())))
        open = nil
    }

    /// The message to post; the batch gives its body away.
    mutating func finish() -> PostedBatch {
        PostedBatch(fileID: fileID, firstIndex: firstIndex, parts: parts, body: draft.finish())
    }
}

/// A full batch on its way to Discord.
struct PostedBatch {
    let fileID: Int
    let firstIndex: Int
    let parts: [PartBatch.Part]
    let body: RequestBody
}
