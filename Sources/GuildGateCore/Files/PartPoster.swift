import Crypto
import DiscordKit
import Foundation
import Logging
import Store

/// Posts part batches as messages, one worker thread per storage channel, the channels taking turns so each
/// stays within its own rate-limit bucket (the process-wide limiter paces them) while the others go on. At
/// most `maxInFlight` batches are out at once, which bounds the memory an upload holds whatever the file's
/// size: with one, a message is posted while the next is filled.
final class PartPoster: @unchecked Sendable {
    private let condition = NSCondition()
    /// Batches waiting, each for the channel whose turn it is (round robin, so every channel's bucket is used).
    private var queue: [(channel: Int, batch: PostedBatch)] = []
    private var submitted = 0
    private let channelCount: Int
    private var inFlight = 0
    private var stored: [StoredFilePart] = []
    private var failure: FileStorageError?
    private var closed = false
    private var workersLeft: Int

    private let maxInFlight: Int
    private let attachmentLimit: Int
    private let logger: Logger

    /// - Parameter client: makes each channel's worker its Discord client (each with its own curl handle).
    init(channels: [String], maxInFlight: Int, attachmentLimit: Int, logger: Logger, client: @escaping @Sendable () -> DiscordClient) {
        self.maxInFlight = maxInFlight
        self.attachmentLimit = attachmentLimit
        self.logger = logger
        workersLeft = channels.count
        channelCount = channels.count
        for (slot, channel) in channels.enumerated() {
            let thread = Thread { [self] in work(slot: slot, channel: channel, discord: client()) }
            thread.name = "parts-\(channel)"
            thread.start()
        }
    }

    /// Hands a batch to the workers, waiting while `maxInFlight` are out; throws the first failure.
    func submit(_ batch: PostedBatch) throws(FileStorageError) {
        condition.lock()
        defer { condition.unlock() }
        while inFlight >= maxInFlight, failure == nil { condition.wait() }
        if let failure { throw failure }
        queue.append((submitted % channelCount, batch))
        submitted += 1
        inFlight += 1
        condition.broadcast()
    }

    /// Parts stored since the last call.
    func takeStored() -> [StoredFilePart] {
        condition.lock()
        defer { condition.unlock() }
        let parts = stored
        stored.removeAll()
        return parts
    }

    /// Waits until every submitted batch is stored or one failed.
    func waitForAll() throws(FileStorageError) {
        condition.lock()
        defer { condition.unlock() }
        while inFlight > 0, failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Stops the workers once their current batch is done (or failed).
    func close() {
        condition.lock()
        closed = true
        queue.removeAll()
        condition.broadcast()
        while workersLeft > 0 { condition.wait() }
        condition.unlock()
    }

    private func work(slot: Int, channel: String, discord: DiscordClient) {
        while let batch = next(for: slot) {
            let outcome = Result { () throws(FileStorageError) -> [StoredFilePart] in try post(batch, channel: channel, discord: discord) }
            condition.lock()
            switch outcome {
            case .success(let parts): stored += parts
            case .failure(let error): failure = failure ?? error
            }
            inFlight -= 1
            condition.broadcast()
            condition.unlock()
        }
        condition.lock()
        workersLeft -= 1
        condition.broadcast()
        condition.unlock()
    }

    private func next(for slot: Int) -> PostedBatch? {
        condition.lock()
        defer { condition.unlock() }
        while !closed, !queue.contains(where: { $0.channel == slot }) { condition.wait() }
        guard !closed, let index = queue.firstIndex(where: { $0.channel == slot }) else { return nil }
        return queue.remove(at: index).batch
    }

    /// Posts one batch, retrying what Discord may still accept: the message nonce is enforced, so a retry
    /// after a lost answer returns the first message instead of storing the parts twice.
    private func post(_ batch: PostedBatch, channel: String, discord: DiscordClient) throws(FileStorageError) -> [StoredFilePart] {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try parts(of: batch, in: try discord.createMessage(channelID: channel, body: batch.body))
            } catch .api(413, _, _) {
                throw .attachmentTooLarge(bytes: batch.parts.map(\.size).max() ?? 0, limit: attachmentLimit)
            } catch .notConfigured(let what) {
                throw .notConfigured(what)
            } catch {
                guard attempt < 5, Self.isWorthRetrying(error) else { throw .discord("\(error)") }
                logger.notice(
                    "storing a part failed; retrying",
                    metadata: [
                        "file_id": "\(batch.fileID)", "part": "\(batch.firstIndex)", "attempt": "\(attempt)", "error": "\(error)",
                    ])
                Thread.sleep(forTimeInterval: 0.25 * Double(1 << attempt))
            }
        }
    }

    private static func isWorthRetrying(_ error: DiscordError) -> Bool {
        switch error {
        case .transport, .rateLimited, .invalidResponse: return true
        case .api(let status, _, _): return status >= 500 || status == 429
        case .notConfigured, .cloudflareBan, .invalidRequest: return false
        }
    }

    private func parts(of batch: PostedBatch, in message: DiscordMessage) throws(DiscordError) -> [StoredFilePart] {
        try batch.parts.map { part throws(DiscordError) in
            let name = PartBatch.filename(fileID: batch.fileID, index: part.index)
            guard let attachment = message.attachments.first(where: { $0.filename == name }), attachment.size == part.size else {
                throw .invalidResponse(status: 200, reason: "the message lacks part \(part.index) or its size differs")
            }
            return StoredFilePart(
                index: part.index, channelID: message.channelID, messageID: message.id, attachmentID: attachment.id,
                size: part.size, sha256: part.sha256)
        }
    }
}
