import Foundation
import Store

/// Who is asking for files: a user sees and touches only their own; an admin (admin session or the API
/// token) sees all.
struct FileActor {
    let caller: Caller
    let userID: Int?
    let isAdmin: Bool

    func mayAccess(_ file: StoredFile) -> Bool {
        isAdmin || (userID != nil && file.ownerUserID == userID)
    }
}

extension RequestContext {
    /// The caller of a file route: `Authorization: Bearer` with the API token or a session value, or the
    /// session cookie. Anyone else is told to log in.
    func fileActor() throws -> FileActor {
        let caller = try caller()
        guard caller.isMember else {
            throw HTTPError.unauthorized("Log in with Discord first (GET /login), or send Authorization: Bearer.")
        }
        return FileActor(caller: caller, userID: caller.userID, isAdmin: caller.isAdmin)
    }

    /// The file with `id` if the caller may see it; 404 otherwise (never revealing that it exists).
    func accessibleFile(_ request: Request, _ actor: FileActor) throws -> StoredFile {
        guard let id = request.parameters["id"].flatMap(Int.init), id > 0,
            let file = try FileStore(db).file(id: id), file.state != .deleting, actor.mayAccess(file)
        else { throw HTTPError.notFound }
        return file
    }
}
