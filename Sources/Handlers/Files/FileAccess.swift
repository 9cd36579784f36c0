import Foundation
import Store

/// Who is asking for files: a user sees and touches only their own; an admin (admin session or the API
/// token) sees all.
struct FileActor {
    let userID: Int?
    let isAdmin: Bool

    func mayAccess(_ file: StoredFile) -> Bool {
        isAdmin || (userID != nil && file.ownerUserID == userID)
    }
}

extension RequestContext {
    /// The caller of a file route: `Authorization: Bearer` with the API token or a session value, or the
    /// session cookie. Cookie-authenticated API writes must carry the session's `X-CSRF-Token`.
    func fileActor(checkCSRFHeader: Bool) throws -> FileActor {
        if let header = request.header("authorization"), header.lowercased().hasPrefix("bearer ") {
            let presented = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
            if let token = config.apiToken, Secrets.constantTimeEqual(Array(presented.utf8), Array(token.utf8)) {
                return FileActor(userID: nil, isAdmin: true)
            }
            guard let session = try session(fromValue: presented) else {
                throw HTTPError.unauthorized("The bearer token is neither the API token nor a valid session.")
            }
            return try actor(for: session)
        }
        guard let session = try session() else {
            throw HTTPError.unauthorized("Log in with Discord first (GET /login), or send Authorization: Bearer.")
        }
        if checkCSRFHeader { try verifyCSRF(request.header("x-csrf-token")) }
        return try actor(for: session)
    }

    private func actor(for session: BrowserSession) throws -> FileActor {
        if session.adminID != nil { return FileActor(userID: session.userID, isAdmin: true) }
        guard let userID = session.userID else {
            throw HTTPError.unauthorized("Log in with Discord first (GET /login).")
        }
        return FileActor(userID: userID, isAdmin: false)
    }

    /// The file with `id` if the caller may see it; 404 otherwise (never revealing that it exists).
    func accessibleFile(_ request: Request, _ actor: FileActor) throws -> StoredFile {
        guard let id = request.parameters["id"].flatMap(Int.init), id > 0,
              let file = try FileStore(db).file(id: id), file.state != .deleting, actor.mayAccess(file)
        else { throw HTTPError.notFound }
        return file
    }
}
