import GuildGateCore
import Store

/// The caller of a file route (`RouteAccess.member`, so `RouteGuard` has refused anyone else) and what it
/// may see of the files.
struct FileActor {
    let caller: Caller

    var access: FileAccess { FileAccess(userID: caller.userID, isAdmin: caller.isAdmin) }
}

extension RequestContext {
    func fileActor() throws -> FileActor {
        FileActor(caller: try caller())
    }

    /// The file named by the `id` parameter if the caller may see it; 404 otherwise (never revealing that
    /// it exists).
    func accessibleFile(_ request: Request, _ actor: FileActor) throws -> StoredFile {
        guard let id = request.parameters["id"].flatMap(Int.init), let file = try actor.access.file(id: id, db) else {
            throw HTTPError.notFound
        }
        return file
    }
}
