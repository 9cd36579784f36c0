import Foundation

/// A file stored on Discord, as its metadata row says.
public struct StoredFile: Sendable, Equatable {
    public enum State: String, Sendable {
        case uploading, complete, failed, damaged, deleting
    }

    public let id: Int
    public let ownerUserID: Int?
    public let name: String
    public let contentType: String
    public let size: Int
    public let sha256: [UInt8]?
    public let salt: [UInt8]
    /// Plaintext bytes per part (the last part may be shorter).
    public let partSize: Int
    public let parts: Int
    /// Parts stored so far (equals `parts` once complete).
    public let storedParts: Int
    public let state: State
    public let error: String?
    public let createdAt: Date?
    /// The file's data key, sealed; nil for a file stored before migration 12 that `rotate-keys` has not sealed
    /// yet (its key is derived from the secret key and `salt`).
    public let dataKey: SealedDataKey?

    static let columns = """
        f.id, f.owner_user_id, f.name, f.content_type, f.size, f.sha256, f.salt, f.part_size, f.parts, f.state, f.error,
        f.created_at, f.data_key_sealed, f.data_key_id, (SELECT count(*) FROM file_parts p WHERE p.file_id = f.id) AS stored_parts
        """

    init(_ row: Row) throws(StoreError) {
        id = try row.int("id")
        ownerUserID = row.optionalInt("owner_user_id")
        name = try row.string("name")
        contentType = try row.string("content_type")
        size = try row.int("size")
        sha256 = row.bytes("sha256")
        salt = row.bytes("salt") ?? []
        partSize = try row.int("part_size")
        parts = try row.int("parts")
        storedParts = try row.int("stored_parts")
        guard let state = State(rawValue: try row.string("state")) else { throw .unexpectedResult("unknown file state") }
        self.state = state
        error = row["error"]
        createdAt = row.date("created_at")
        if let sealed = row.bytes("data_key_sealed"), let keyID = row["data_key_id"] {
            dataKey = SealedDataKey(sealed: sealed, keyID: keyID)
        } else {
            dataKey = nil
        }
    }
}

/// A file's data key sealed under a master key, and that key's id.
public struct SealedDataKey: Sendable, Equatable {
    public let sealed: [UInt8]
    public let keyID: String

    public init(sealed: [UInt8], keyID: String) {
        self.sealed = sealed
        self.keyID = keyID
    }
}

/// Where one encrypted part lives on Discord.
public struct StoredFilePart: Sendable, Equatable {
    public let index: Int
    public let channelID: String
    public let messageID: String
    public let attachmentID: String
    /// Bytes as stored (ciphertext and tag).
    public let size: Int
    /// SHA-256 of the stored bytes.
    public let sha256: [UInt8]

    public init(index: Int, channelID: String, messageID: String, attachmentID: String, size: Int, sha256: [UInt8]) {
        self.index = index
        self.channelID = channelID
        self.messageID = messageID
        self.attachmentID = attachmentID
        self.size = size
        self.sha256 = sha256
    }
}

/// The `files` and `file_parts` tables.
public struct FileStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// - Parameter dataKey: nil only for a file sealed as before migration 12 (tests of what rotation does with one).
    public func create(
        ownerUserID: Int?, name: String, contentType: String, salt: [UInt8], dataKey: SealedDataKey?, partSize: Int
    ) throws(StoreError) -> Int {
        try insert(
            ownerUserID: ownerUserID, name: name, contentType: contentType, salt: salt, dataKey: dataKey, partSize: partSize, reserved: 0,
            db: db)
    }

    /// What a user may hold: `quota` bytes over complete and in-progress files, `maxInProgress` uploads at once.
    public struct Limits: Sendable, Equatable {
        public let quota: Int?
        public let maxInProgress: Int
        public init(quota: Int?, maxInProgress: Int) {
            self.quota = quota
            self.maxInProgress = maxInProgress
        }
    }

    public enum Reservation: Sendable, Equatable {
        /// The upload's row; it may take at most `bytes` (nil: no quota).
        case created(fileID: Int, bytes: Int?)
        case quotaExceeded(used: Int, quota: Int)
        case tooManyInProgress(limit: Int)
    }

    /// Creates an upload's row within `limits`, reserving `declaredSize` (or what is left of the quota when
    /// the size is unknown). Uploads of one user are serialized on their user row, so parallel requests
    /// cannot together pass the limits.
    public func create(
        ownerUserID: Int, name: String, contentType: String, salt: [UInt8], dataKey: SealedDataKey?, partSize: Int, declaredSize: Int?,
        limits: Limits
    ) throws -> Reservation {
        try db.transaction { db in
            try db.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [ownerUserID])
            let usage = try db.query(
                """
                SELECT count(*) FILTER (WHERE state = 'uploading') AS uploading,
                       coalesce(sum(CASE WHEN state = 'uploading' THEN reserved
                                         WHEN state IN ('complete', 'damaged') THEN size ELSE 0 END), 0) AS used
                FROM files WHERE owner_user_id = $1
                """, [ownerUserID]
            ).first
            let uploading = try usage?.int("uploading") ?? 0
            let used = try usage?.int("used") ?? 0
            guard uploading < limits.maxInProgress else { return .tooManyInProgress(limit: limits.maxInProgress) }
            var reserved: Int?
            if let quota = limits.quota {
                let left = quota - used
                guard left > 0, (declaredSize ?? 0) <= left else { return .quotaExceeded(used: used, quota: quota) }
                reserved = declaredSize ?? left
            }
            let id = try insert(
                ownerUserID: ownerUserID, name: name, contentType: contentType, salt: salt, dataKey: dataKey, partSize: partSize,
                reserved: reserved ?? 0, db: db)
            return .created(fileID: id, bytes: reserved)
        }
    }

    private func insert(
        ownerUserID: Int?, name: String, contentType: String, salt: [UInt8], dataKey: SealedDataKey?, partSize: Int, reserved: Int,
        db: PostgresConnection
    ) throws(StoreError) -> Int {
        guard
            let row = try db.query(
                """
                INSERT INTO files (owner_user_id, name, content_type, salt, data_key_sealed, data_key_id, part_size, reserved)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                RETURNING id
                """,
                [
                    ownerUserID, name, contentType, ByteA(salt), dataKey.map { ByteA($0.sealed) }, dataKey?.keyID, partSize, reserved,
                ]
            ).first
        else { throw .unexpectedResult("file insert returned no row") }
        return try row.int("id")
    }

    /// Records stored parts and shows the upload is alive.
    public func addParts(_ parts: [StoredFilePart], fileID: Int) throws(StoreError) {
        for part in parts {
            try db.query(
                """
                INSERT INTO file_parts (file_id, index, channel_id, message_id, attachment_id, size, sha256)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                """, [fileID, part.index, part.channelID, part.messageID, part.attachmentID, part.size, ByteA(part.sha256)])
        }
        try heartbeat(fileID: fileID)
    }

    /// Shows the upload is alive while its client is slow (the cleanup takes quiet uploads for dead).
    public func heartbeat(fileID: Int) throws(StoreError) {
        try db.query("UPDATE files SET heartbeat_at = now() WHERE id = $1", [fileID])
    }

    /// Marks an upload complete, only if it is still uploading and every part is recorded; false otherwise.
    public func complete(fileID: Int, size: Int, sha256: [UInt8], parts: Int) throws(StoreError) -> Bool {
        try db.query(
            """
            UPDATE files SET state = 'complete', size = $2, sha256 = $3, parts = $4, completed_at = now(), heartbeat_at = now()
            WHERE id = $1 AND state = 'uploading' AND (SELECT count(*) FROM file_parts WHERE file_id = $1) = $4
            """, [fileID, size, ByteA(sha256), parts]
        ).affectedRows == 1
    }

    /// An upload or download went wrong: `failed` (its parts are cleaned up) or `damaged` (kept for inspection).
    public func mark(fileID: Int, state: StoredFile.State, error: String?) throws(StoreError) {
        try db.query("UPDATE files SET state = $2, error = $3 WHERE id = $1", [fileID, state.rawValue, error])
    }

    public func file(id: Int) throws(StoreError) -> StoredFile? {
        try db.query("SELECT \(StoredFile.columns) FROM files f WHERE f.id = $1", [id]).first.map(StoredFile.init)
    }

    /// Newest first; `ownerUserID` nil lists everyone's (admins). Files being deleted are left out.
    public func list(ownerUserID: Int?, limit: Int = 500) throws(StoreError) -> [StoredFile] {
        try db.query(
            """
            SELECT \(StoredFile.columns) FROM files f
            WHERE ($1::bigint IS NULL OR f.owner_user_id = $1) AND f.state <> 'deleting'
            ORDER BY f.created_at DESC, f.id DESC LIMIT $2
            """, [ownerUserID, limit]
        ).rows.map { row throws(StoreError) in try StoredFile(row) }
    }

    public func parts(fileID: Int) throws(StoreError) -> [StoredFilePart] {
        try db.query(
            """
            SELECT index, channel_id, message_id, attachment_id, size, sha256 FROM file_parts WHERE file_id = $1 ORDER BY index
            """, [fileID]
        ).rows.map { row throws(StoreError) in
            StoredFilePart(
                index: try row.int("index"), channelID: try row.string("channel_id"), messageID: try row.string("message_id"),
                attachmentID: try row.string("attachment_id"), size: try row.int("size"), sha256: row.bytes("sha256") ?? [])
        }
    }

    /// Files whose Discord messages should go: failed or deleted ones, and uploads whose process stopped
    /// refreshing them for `staleAfter` seconds.
    public func cleanupCandidates(staleAfter seconds: Int) throws(StoreError) -> [Int] {
        try db.query(
            """
            SELECT id FROM files
            WHERE state IN ('failed', 'deleting') OR (state = 'uploading' AND heartbeat_at < now() - make_interval(secs => $1))
            ORDER BY id LIMIT 100
            """, [seconds]
        ).rows.map { row throws(StoreError) in try row.int("id") }
    }

    /// Takes a file out of the upload path before its messages are deleted (a stale upload becomes failed).
    public func markForCleanup(fileID: Int) throws(StoreError) {
        try db.query(
            "UPDATE files SET state = 'failed', error = coalesce(error, 'the upload stopped before it finished') WHERE id = $1 AND state = 'uploading'",
            [fileID])
    }

    /// Marks every file of a user for deletion (their owner is being deleted): stored files become
    /// `deleting` and uploads in progress `failed`, so that the cleanup job deletes their messages and rows.
    /// Returns how many files were marked.
    public func markOwnedForDeletion(userID: Int) throws(StoreError) -> Int {
        try db.query(
            """
            UPDATE files SET
                state = CASE WHEN state IN ('uploading', 'failed') THEN 'failed' ELSE 'deleting' END,
                error = CASE WHEN state = 'uploading' THEN 'its owner was deleted during the upload' ELSE error END
            WHERE owner_user_id = $1
            """, [userID]
        ).affectedRows
    }

    /// Every file whose data key is not sealed under the key `keyID` names (also those stored before migration 12,
    /// whose key is not sealed at all), in id order, whatever their state.
    public func files(notSealedUnder keyID: String) throws(StoreError) -> [StoredFile] {
        try db.query(
            "SELECT \(StoredFile.columns) FROM files f WHERE f.data_key_id IS DISTINCT FROM $1 ORDER BY f.id", [keyID]
        ).rows.map { row throws(StoreError) in try StoredFile(row) }
    }

    /// How many files that may still be read (not failed nor being deleted) have their data key sealed under each
    /// key id (nil: stored before migration 12, not sealed yet).
    public func countsByDataKey() throws(StoreError) -> [String?: Int] {
        var counts: [String?: Int] = [:]
        for row in try db.query(
            "SELECT data_key_id, count(*) AS n FROM files WHERE state NOT IN ('failed', 'deleting') GROUP BY data_key_id"
        ).rows {
            let keyID: String? = row["data_key_id"]
            counts[keyID] = try row.int("n")
        }
        return counts
    }

    /// How many files have their data key sealed under the key `keyID` names.
    public func count(sealedUnder keyID: String) throws(StoreError) -> Int {
        try db.query("SELECT count(*) AS n FROM files WHERE data_key_id = $1", [keyID]).first?.int("n") ?? 0
    }

    /// Replaces a file's sealed data key, only if it is still `old` (nil: not sealed yet); false when the file is
    /// gone or its key was sealed again meanwhile.
    public func replaceDataKey(fileID: Int, old: SealedDataKey?, new: SealedDataKey) throws(StoreError) -> Bool {
        try db.query(
            """
            UPDATE files SET data_key_sealed = $2, data_key_id = $3
            WHERE id = $1 AND data_key_sealed IS NOT DISTINCT FROM $4::bytea AND data_key_id IS NOT DISTINCT FROM $5::text
            """, [fileID, ByteA(new.sealed), new.keyID, old.map { ByteA($0.sealed) }, old?.keyID]
        ).affectedRows == 1
    }

    public func forgetPart(fileID: Int, messageID: String) throws(StoreError) {
        try db.query("DELETE FROM file_parts WHERE file_id = $1 AND message_id = $2", [fileID, messageID])
    }

    public func delete(fileID: Int) throws(StoreError) {
        try db.query("DELETE FROM files WHERE id = $1", [fileID])
    }
}
