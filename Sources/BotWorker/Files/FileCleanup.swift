import DiscordKit
import GuildGateCore
import Foundation
import JSONSupport
import Logging
import Store

/// The `files.cleanup` job: deletes the Discord messages of files that were deleted, failed, or whose
/// upload stopped (the web process died), then their rows. Parts recorded in the database are deleted by
/// id; a message posted but never recorded (the process died in between) is found by its content in the
/// storage channels, among the messages posted since the file was created.
struct FileCleanup: Sendable {
    /// An upload whose heartbeat is older than this is taken for dead.
    static let staleAfterSeconds = 120
    /// Pages of 100 messages read per channel when looking for unrecorded parts.
    static let scanPages = 10

    let databaseURL: String
    let storageChannels: [String]
    let logger: Logger
    let discord: @Sendable () -> DiscordClient

    func run() throws -> JSON {
        let db = PostgresConnection(url: databaseURL)
        let files = FileStore(db)
        let discord = discord()
        let ids = try files.cleanupCandidates(staleAfter: Self.staleAfterSeconds)
        var deleted = 0
        for id in ids {
            try files.markForCleanup(fileID: id)
            guard let file = try files.file(id: id) else { continue }
            var messages = Set<String>()
            for part in try files.parts(fileID: id) where messages.insert(part.messageID).inserted {
                try discord.deleteMessage(channelID: part.channelID, messageID: part.messageID)
                try files.forgetPart(fileID: id, messageID: part.messageID)
            }
            if file.state != .deleting {
                messages.formUnion(try deleteUnrecorded(file, discord: discord))
            }
            try files.delete(fileID: id)
            deleted += messages.count
            logger.info(
                "stored file cleaned up",
                metadata: ["file_id": "\(id)", "state": "\(file.state.rawValue)", "messages": "\(messages.count)"])
        }
        return ["files": .int(ids.count), "messages_deleted": .int(deleted)]
    }

    /// Messages of `file` that no part row names: posted by an upload that died before recording them.
    private func deleteUnrecorded(_ file: StoredFile, discord: DiscordClient) throws -> Set<String> {
        let marker = StorageMessage.prefix(fileID: file.id)
        let since = Snowflake.lowerBound(for: (file.createdAt ?? Date()).addingTimeInterval(-60))
        var deleted = Set<String>()
        for channel in storageChannels {
            var after = since
            for _ in 0..<Self.scanPages {
                let page = try discord.messages(channelID: channel, after: after)
                for message in page where message.content.hasPrefix(marker) {
                    try discord.deleteMessage(channelID: channel, messageID: message.id)
                    deleted.insert(message.id)
                }
                guard page.count == 100, let newest = page.compactMap({ UInt64($0.id) }).max() else { break }
                after = String(newest)
            }
        }
        return deleted
    }
}
