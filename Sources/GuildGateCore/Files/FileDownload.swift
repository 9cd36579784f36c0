import Crypto
import DiscordKit
import Foundation
import Logging
import Metrics
import ProcessSupport
import Store

/// Streams a byte range of a stored file: parts are fetched from the CDN in order, the next ones while
/// the current one is written. A part is checked against its SHA-256 before any of it is used, and each
/// 1 MiB chunk against its GCM tag before it is sent. A failed check aborts the response: wrong bytes are
/// never served.
public struct FileDownload: Sendable {
    let file: StoredFile
    let parts: [StoredFilePart]
    /// The file's cipher; for a file stored before migration 12, one per listed secret key, newest first, until
    /// the first chunk opened tells which.
    let ciphers: [(keyID: String, cipher: FileCipher)]
    let attachmentURLs: AttachmentURLCache
    let now: @Sendable () -> Date
    /// Makes the prefetching thread its Discord client (with its own curl handle).
    let discord: @Sendable (Logger) -> DiscordClient
    let logger: Logger

    /// Throws when the file's data key is sealed under a key `keys` does not list (or does not open).
    public init(
        file: StoredFile, parts: [StoredFilePart], keys: SecretKeys, attachmentURLs: AttachmentURLCache,
        now: @escaping @Sendable () -> Date, logger: Logger, discord: @escaping @Sendable (Logger) -> DiscordClient
    ) throws(FileKeyError) {
        self.file = file
        self.parts = parts
        let fileKeys = FileKeys(keys: keys)
        if let dataKey = try fileKeys.dataKey(of: file) {
            ciphers = [(file.dataKey?.keyID ?? "", FileCipher(key: dataKey))]
        } else {
            ciphers = fileKeys.legacyCandidates(salt: file.salt).map { ($0.keyID, FileCipher(key: $0.dataKey)) }
        }
        self.attachmentURLs = attachmentURLs
        self.now = now
        self.discord = discord
        self.logger = logger
    }

    /// Writes bytes `lower...upper` (inclusive) of the file, in order, through `write`.
    public func stream(lower: Int, upper: Int, to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard file.size > 0, upper >= lower else { return }
        let first = lower / file.partSize
        let last = upper / file.partSize
        guard last < parts.count else { throw FilePartError.authenticationFailed(part: last) }
        var fetcher = PartFetcher(parts: parts[first...last], download: self)
        defer { fetcher.cancel() }
        var cipher = ciphers.count == 1 ? ciphers[0].cipher : nil
        let sent = FileMetrics.downloadCounter()
        for index in first...last {
            let sealed = try fetcher.next()
            let partStart = index * file.partSize
            let plainSize = min(file.partSize, file.size - partStart)
            let range = max(lower - partStart, 0)..<(min(upper - partStart, plainSize - 1) + 1)
            if cipher == nil {
                let chunk = range.lowerBound / FileCipher.chunkSize
                guard let found = candidate(opening: sealed[...], part: index, plainSize: plainSize, chunk: chunk) else {
                    throw FilePartError.authenticationFailed(part: index)
                }
                cipher = found.cipher
            }
            try cipher?.open(sealed, part: index, plainSize: plainSize, range: range) { bytes in
                try write(bytes)
                sent.increment(by: bytes.count)
            }
        }
    }

    /// For a file stored before migration 12: the id of the listed secret key its parts were sealed under, found
    /// by the GCM tag of its first chunk, fetched alone from Discord (a `Range` request); nil when no listed key
    /// opens it. For any other file, the key its row names.
    public func storedUnderKey(discord: DiscordClient) throws -> String? {
        if let dataKey = file.dataKey { return dataKey.keyID }
        guard let first = parts.first(where: { $0.index == 0 }) else { throw FilePartError.authenticationFailed(part: 0) }
        let plainSize = min(file.partSize, file.size)
        let sealed = try fetch(first, bytes: 0..<FileCipher.firstChunkSealedSize(plain: plainSize), discord: discord)
        return candidate(opening: sealed[...], part: 0, plainSize: plainSize, chunk: 0)?.keyID
    }

    /// The listed key whose cipher authenticates chunk `chunk` of `sealed`, the stored bytes of part `part`.
    private func candidate(
        opening sealed: ArraySlice<UInt8>, part: Int, plainSize: Int, chunk: Int
    ) -> (keyID: String, cipher: FileCipher)? {
        ciphers.first { $0.cipher.authenticates(sealed, part: part, plainSize: plainSize, chunk: chunk) }
    }

    /// One part as stored, checked against its SHA-256.
    func sealedPart(_ part: StoredFilePart, discord: DiscordClient) throws -> [UInt8] {
        let sealed = try fetch(part, bytes: nil, discord: discord)
        guard Array(SHA256.hash(data: sealed)) == part.sha256 else { throw FilePartError.digestMismatch(part: part.index) }
        return sealed
    }

    /// A part's stored bytes, all or `bytes` of them. Uses a cached URL, or re-reads the part's message for a fresh
    /// one; a URL that expired on the way (404/403 from the CDN) is refreshed once.
    private func fetch(_ part: StoredFilePart, bytes: Range<Int>?, discord: DiscordClient) throws -> [UInt8] {
        var refreshed = false
        while true {
            let url = try attachmentURL(part, discord: discord, forceRefresh: refreshed)
            do {
                return try discord.downloadAttachment(url: url, bytes: bytes)
            } catch {
                guard case .api(let status, _, _) = error, status == 404 || status == 403, !refreshed else { throw error }
                logger.info("attachment URL no longer served; refreshing", metadata: ["part": "\(part.index)"])
                attachmentURLs.forget(attachmentID: part.attachmentID)
                refreshed = true
            }
        }
    }

    private func attachmentURL(_ part: StoredFilePart, discord: DiscordClient, forceRefresh: Bool) throws -> String {
        let now = now()
        if !forceRefresh, let url = attachmentURLs.url(attachmentID: part.attachmentID, now: now) { return url }
        let message = try discord.message(channelID: part.channelID, messageID: part.messageID)
        attachmentURLs.store(message, now: now)
        guard let url = message.attachments.first(where: { $0.id == part.attachmentID })?.url else {
            throw FilePartError.authenticationFailed(part: part.index)
        }
        return url
    }
}

/// Fetches parts in order on a thread of its own (with its own curl handle), ahead of the writer: at most
/// two beyond the one being written are fetched or held, and none after one that failed.
private struct PartFetcher {
    private let download: FileDownload
    private let queue: WorkQueue<DiscordClient>
    private var waiting: ArraySlice<StoredFilePart>
    private var fetching: [Completion<[UInt8]>] = []

    init(parts: ArraySlice<StoredFilePart>, download: FileDownload) {
        self.download = download
        queue = WorkQueue(name: "part-fetcher") { _ in download.discord(download.logger) }
        waiting = parts
        fetchNext()
        fetchNext()
    }

    /// The next part, checked; what fetching it threw.
    mutating func next() throws -> [UInt8] {
        let sealed = try fetching.removeFirst().wait()
        fetchNext()
        return sealed
    }

    /// Returns at once: a part on its way is left to finish on the fetcher's thread.
    func cancel() {
        queue.close(discardingQueued: true)
    }

    private mutating func fetchNext() {
        guard let part = waiting.popFirst() else { return }
        let (download, queue) = (download, queue)
        fetching.append(
            queue.submit { discord in
                do {
                    return try download.sealedPart(part, discord: discord)
                } catch {
                    queue.close(discardingQueued: true)
                    throw error
                }
            })
    }
}
