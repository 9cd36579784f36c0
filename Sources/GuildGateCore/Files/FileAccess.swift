import Store

/// Who may see which files: a user sees and touches only their own; an admin (admin session or the API
/// token) sees all.
public struct FileAccess: Sendable {
    public let userID: Int?
    public let isAdmin: Bool

    public init(userID: Int?, isAdmin: Bool) {
        self.userID = userID
        self.isAdmin = isAdmin
    }

    public func mayAccess(_ file: StoredFile) -> Bool {
        isAdmin || (userID != nil && file.ownerUserID == userID)
    }

    /// The files this caller may list.
    public func files(_ db: PostgresConnection) throws -> [StoredFile] {
        try FileStore(db).list(ownerUserID: isAdmin ? nil : userID)
    }

    /// The file with `id` if the caller may see it and it is not being deleted; nil otherwise, so a caller
    /// never learns that a file exists.
    public func file(id: Int, _ db: PostgresConnection) throws -> StoredFile? {
        guard id > 0, let file = try FileStore(db).file(id: id), file.state != .deleting, mayAccess(file) else { return nil }
        return file
    }
}
