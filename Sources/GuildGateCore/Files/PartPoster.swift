import Crypto
import DiscordKit
import Foundation
import Logging
import ProcessSupport
import Store
import Synchronization

/// Posts part batches as messages, one thread per storage channel with a Discord client of its own; a
/// batch goes to the channel idle longest, so the channels take turns and each stays within its own
/// rate-limit bucket (the process-wide limiter paces them) while the others go on. At most `maxInFlight`
/// batches are out at once, which bounds the memory an upload holds whatever the file's size: with one, a
/// message is posted while the next is filled.
final class PartPoster: Sendable {
    private struct Channel {
        let id: String
        let discord: DiscordClient
    }

    private struct Outcome {
        var stored: [StoredFilePart] = []
        var failure: FileStorageError?
    }

    private let channels: WorkQueue<Channel>
    private let outcome = Mutex(Outcome())
    private let attachmentLimit: Int
    private let logger: Logger

    /// - Parameter client: makes each channel's Discord client (each with its own curl handle).
    init(channels: [String], maxInFlight: Int, attachmentLimit: Int, logger: Logger, client: @escaping @Sendable () -> DiscordClient) {
        self.attachmentLimit = attachmentLimit
        self.logger = logger
        self.channels = WorkQueue(name: "parts", threads: channels.count, capacity: maxInFlight) { index in
            Channel(id: channels[index], discord: client())
        }
    }

    /// Hands a batch to the channels, waiting while `maxInFlight` are out; throws the first failure.
    func submit(_ batch: PostedBatch) throws(FileStorageError) {
        try throwFailure()
        channels.submit { [self] channel in
            do throws(FileStorageError) {
                let parts = try post(batch, channel: channel.id, discord: channel.discord)
                outcome.withLock { $0.stored += parts }
            } catch {
                outcome.withLock { $0.failure = $0.failure ?? error }
                // What is queued is not posted, and a submit waiting for room returns.
                channels.close(discardingQueued: true)
            }
        }
        try throwFailure()
    }

    /// Parts stored since the last call.
    func takeStored() -> [StoredFilePart] {
        outcome.withLock { outcome in
            defer { outcome.stored.removeAll() }
            return outcome.stored
        }
    }

    /// Waits until every submitted batch is stored or one failed, and the channels' threads have ended.
    func waitForAll() throws(FileStorageError) {
        channels.close()
        channels.join()
        try throwFailure()
    }

    /// Stops the channels' threads once their current batch is done (or failed), and waits for them.
    func close() {
        channels.close(discardingQueued: true)
        channels.join()
    }

    private func throwFailure() throws(FileStorageError) {
        if let failure = outcome.withLock({ $0.failure }) { throw failure }
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
