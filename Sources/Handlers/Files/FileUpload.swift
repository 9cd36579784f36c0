import Crypto
import DiscordKit
import Foundation
import Logging
import Store
import GuildGateCore

/// One file on its way to Discord: plaintext is sealed a 1 MiB chunk at a time straight into the message
/// body of the part it belongs to; a full message goes to the poster; stored parts are recorded as they
/// come back. Nothing holds the whole file, nor even a whole part of plaintext.
final class FileUpload {
    let fileID: Int
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

    /// Creates the file's row within `limits` (nil: none), refusing before anything is posted when the
    /// `declaredSize` would not fit the owner's quota or they have too many uploads in progress.
    init(
        context: RequestContext, ownerUserID: Int?, name: String, contentType: String, declaredSize: Int?,
        limits: FileStore.Limits?
    ) throws {
        let config = context.config
        guard !config.discordStorageChannelIDs.isEmpty else {
            throw HTTPError.serviceUnavailable("File storage is not configured: set DISCORD_STORAGE_CHANNEL_IDS.")
        }
        layout = PartLayout(attachmentLimit: config.discordAttachmentLimit)
        let salt = FileCipher.randomSalt()
        cipher = FileCipher(secretKey: config.secretKey, salt: salt)
        db = context.db
        files = FileStore(db)
        if let limits, let ownerUserID {
            switch try files.create(
                ownerUserID: ownerUserID, name: name, contentType: contentType, salt: salt, partSize: layout.plainPartSize,
                declaredSize: declaredSize, limits: limits)
            {
            case .created(let id, let reserved):
                fileID = id
                maxSize = min(config.maxFileSize, reserved ?? .max)
                quotaBound = maxSize < config.maxFileSize
            case .quotaExceeded(let used, let quota):
                throw HTTPError.quotaExceeded(
                    "This file does not fit your storage quota of \(ByteCount.format(quota)) (\(ByteCount.format(used)) used). "
                        + "Delete files you no longer need, or ask an admin for more room.")
            case .tooManyInProgress(let limit):
                throw HTTPError.tooManyRequests(
                    retryAfterSeconds: 30, message: "You already have \(limit) uploads in progress; wait for one to finish.")
            }
        } else {
            fileID = try files.create(
                ownerUserID: ownerUserID, name: name, contentType: contentType, salt: salt, partSize: layout.plainPartSize)
            maxSize = config.maxFileSize
            quotaBound = false
        }
        batch = PartBatch(fileID: fileID, firstIndex: 0, capacity: layout.messageCapacity)
        let environment = context.services.environment
        var fileLogger = context.logger
        fileLogger[metadataKey: "file_id"] = "\(fileID)"
        let logger = fileLogger
        poster = PartPoster(
            channels: config.discordStorageChannelIDs, maxInFlight: min(config.uploadParallelism, config.discordStorageChannelIDs.count),
            attachmentLimit: config.discordAttachmentLimit, logger: logger
        ) {
            environment.discordClient(transport: HTTPClient(), logger: logger)
        }
        chunk.reserveCapacity(FileCipher.chunkSize)
    }

    deinit {
        poster.close()
    }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        size += bytes.count
        guard size <= maxSize else {
            if quotaBound {
                throw HTTPError.quotaExceeded("This file does not fit what is left of your storage quota (\(ByteCount.format(maxSize))).")
            }
            throw HTTPError.payloadTooLarge(limit: maxSize)
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
    func finish() throws -> StoredFile {
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
    func abandon(reason: String) {
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

/// How a file is cut: plaintext per part so that a sealed part fits `DISCORD_ATTACHMENT_LIMIT`, and parts
/// per message so that a message stays under Discord's 25 MiB request limit (at most 10 attachments).
struct PartLayout: Equatable {
    static let requestLimit = 25 * 1024 * 1024
    /// Room for the multipart framing and payload_json of one message.
    static let requestOverhead = 64 * 1024

    let plainPartSize: Int
    let partsPerMessage: Int
    /// Bytes of a full message's request body.
    let messageCapacity: Int

    init(attachmentLimit: Int) {
        plainPartSize = FileCipher.plainPartSize(attachmentLimit: attachmentLimit)
        partsPerMessage = min(10, max(1, (Self.requestLimit - Self.requestOverhead) / attachmentLimit))
        messageCapacity = partsPerMessage * FileCipher.sealedSize(plain: plainPartSize) + Self.requestOverhead
    }
}
