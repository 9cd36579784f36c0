import Foundation
import Store

/// Who is asking for files: a user sees and touches only their own; an admin (admin session or the API
/// token) sees all. File routes are for members (`RouteAccess.member`), so the caller is one.
struct FileActor {
    let caller: Caller

    var userID: Int? { caller.userID }
    var isAdmin: Bool { caller.isAdmin }

    func mayAccess(_ file: StoredFile) -> Bool {
        isAdmin || (userID != nil && file.ownerUserID == userID)
    }
}

extension RequestContext {
    /// The caller of a file route: `Authorization: Bearer` with the API token or a session value, or the
    /// session cookie (`RouteGuard` has already refused anyone else).
    func fileActor() throws -> FileActor {
        FileActor(caller: try caller())
    }

    /// The file with `id` if the caller may see it; 404 otherwise (never revealing that it exists).
    func accessibleFile(_ request: Request, _ actor: FileActor) throws -> StoredFile {
        guard let id = request.parameters["id"].flatMap(Int.init), id > 0,
            let file = try FileStore(db).file(id: id), file.state != .deleting, actor.mayAccess(file)
        else { throw HTTPError.notFound }
        return file
    }
}
