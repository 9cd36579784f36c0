import Crypto
import DiscordKit
import Foundation
import Logging
import Metrics
import Store

/// One file on its way to Discord: plaintext is sealed a 1 MiB chunk at a time straight into the message
/// body of the part it belongs to; a full message goes to the poster; stored parts are recorded as they
/// come back. Nothing holds the whole file, nor even a whole part of plaintext.
public final class FileUpload {
    public let fileID: Int
    private let layout: PartLayout
    private let cipher: FileCipher
    private let db: PostgresConnection
    private let files: FileStore
    private let poster: PartPoster
    /// The most this upload may take: `GUILDGATE_MAX_FILE_SIZE`, or less when the quota leaves less.
    private let maxSize: Int
    private let quotaBound: Bool
    private var chunk: [UInt8] = []
    private var batch: PartBatch
    /// The part being written, and how much plaintext it has so far.
    private var part = 0
    private var partPlain = 0
    private var partOpen = false
    private var size = 0
    private var digest = SHA256()
    private var finished = false
    private var lastHeartbeat = Date()
    private let received = FileMetrics.uploadCounter()

    /// Creates the file's row within `limits` (nil: none), refusing before anything is posted when the
    /// `declaredSize` would not fit the owner's quota or they have too many uploads in progress. The file gets a
    /// random data key, kept in its row sealed under the newest secret key.
    /// - Parameters:
    ///   - discord: makes each poster thread its Discord client (each with its own curl handle).
    ///   - legacyDataKey: seal as GuildGate did before migration 12 (the data key derived from the newest secret key
    ///     and the salt, nothing kept in the row): only for tests of what rotation does with such files.
    public init(
        config: AppConfig, db: PostgresConnection, ownerUserID: Int?, name: String, contentType: String, declaredSize: Int?,
        limits: FileStore.Limits?, logger: Logger, discord: @escaping @Sendable (Logger) -> DiscordClient, legacyDataKey: Bool = false
    ) throws {
        guard !config.discordStorageChannelIDs.isEmpty else { throw FileUploadError.storageNotConfigured }
        layout = PartLayout(attachmentLimit: config.discordAttachmentLimit)
        let salt = FileCipher.randomSalt()
        let sealedKey: SealedDataKey?
        if legacyDataKey {
            cipher = FileCipher(key: FileCipher.legacyKey(secretKey: config.secretKeys.newest.bytes, salt: salt))
            sealedKey = nil
        } else {
            let dataKey = FileCipher.randomKey()
            cipher = FileCipher(key: dataKey)
            sealedKey = try FileKeys(keys: config.secretKeys).seal(dataKey, salt: salt)
        }
        self.db = db
        files = FileStore(db)
        if let limits, let ownerUserID {
            switch try files.create(
                ownerUserID: ownerUserID, name: name, contentType: contentType, salt: salt, dataKey: sealedKey,
                partSize: layout.plainPartSize,
                declaredSize: declaredSize, limits: limits)
            {
            case .created(let id, let reserved):
                fileID = id
                maxSize = min(config.maxFileSize, reserved ?? .max)
                quotaBound = maxSize < config.maxFileSize
            case .quotaExceeded(let used, let quota):
                throw FileUploadError.quotaExceeded(quota: quota, used: used)
            case .tooManyInProgress(let limit):
                throw FileUploadError.tooManyInProgress(limit: limit)
            }
        } else {
            fileID = try files.create(
                ownerUserID: ownerUserID, name: name, contentType: contentType, salt: salt, dataKey: sealedKey,
                partSize: layout.plainPartSize)
            maxSize = config.maxFileSize
            quotaBound = false
        }
        batch = PartBatch(fileID: fileID, firstIndex: 0, capacity: layout.messageCapacity)
        var fileLogger = logger
        fileLogger[metadataKey: "file_id"] = "\(fileID)"
        let logger = fileLogger
        poster = PartPoster(
            channels: config.discordStorageChannelIDs, maxInFlight: min(config.uploadParallelism, config.discordStorageChannelIDs.count),
            attachmentLimit: config.discordAttachmentLimit, logger: logger
        ) {
            discord(logger)
        }
        chunk.reserveCapacity(FileCipher.chunkSize)
    }

    deinit {
        poster.close()
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        received.increment(by: bytes.count)
        size += bytes.count
        guard size <= maxSize else {
            throw quotaBound ? FileUploadError.exceedsQuotaLeft(maxSize) : FileUploadError.tooLarge(limit: maxSize)
        }
        digest.update(bufferPointer: bytes)
        var rest = bytes[...]
        while !rest.isEmpty {
            let room = min(FileCipher.chunkSize - chunk.count, layout.plainPartSize - partPlain - chunk.count)
            let take = min(rest.count, room)
            chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
            rest = rest.dropFirst(take)
            if chunk.count == FileCipher.chunkSize || partPlain + chunk.count == layout.plainPartSize { try sealChunk() }
        }
        try record()
    }

    /// Stores what is left and marks the file complete; returns its row.
    public func finish() throws -> StoredFile {
        if !chunk.isEmpty || (size == 0 && part == 0 && !partOpen) { try sealChunk() }
        if partOpen { try endPart() }
        if !batch.parts.isEmpty { try poster.submit(batch.finish()) }
        try poster.waitForAll()
        try record()
        guard try files.complete(fileID: fileID, size: size, sha256: Array(digest.finalize()), parts: part),
            let file = try files.file(id: fileID)
        else { throw FileStorageError.incomplete }
        finished = true
        return file
    }

    /// The upload will not finish: the file is marked failed so the cleanup job deletes its messages.
    public func abandon(reason: String) {
        guard !finished else { return }
        poster.close()
        try? record()
        try? files.mark(fileID: fileID, state: .failed, error: reason)
        _ = try? JobStore(db).enqueue(.filesCleanup(fileID: fileID))
    }

    private func sealChunk() throws {
        if !partOpen {
            batch.beginPart(index: part)
            partOpen = true
        }
        let index = partPlain / FileCipher.chunkSize
        try chunk.withUnsafeBytes { plaintext in
            try cipher.sealChunk(plaintext, part: part, chunk: index) { batch.append($0) }
        }
        partPlain += chunk.count
        chunk.removeAll(keepingCapacity: true)
        if partPlain == layout.plainPartSize { try endPart() }
    }

    private func endPart() throws {
        batch.endPart()
        partOpen = false
        part += 1
        partPlain = 0
        if batch.parts.count == layout.partsPerMessage {
            try poster.submit(batch.finish())
            batch = PartBatch(fileID: fileID, firstIndex: part, capacity: layout.messageCapacity)
        }
    }

    private func record() throws {
        let parts = poster.takeStored()
        if !parts.isEmpty {
            try files.addParts(parts, fileID: fileID)
            lastHeartbeat = Date()
        } else if Date().timeIntervalSince(lastHeartbeat) > 30 {
            try files.heartbeat(fileID: fileID)
            lastHeartbeat = Date()
        }
    }
}
