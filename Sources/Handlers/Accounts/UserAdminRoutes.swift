import Foundation
import GuildGateCore
import JSONSupport
import Store
import WireFormats

/// Users in the admin panel (`UserAdministration` has the rules): the `/admin/users` page and
/// `/api/admin/users…`: onboarded, verified and linked users with their groups, searchable and paged;
/// unlinking a Discord account; deleting a user (their files go in a `files.cleanup` job).
enum UserAdminRoutes {
    static func register(on router: inout Router) {
        router.get("/admin/users", .admin) { request, context in try page(request, context) }
        router.post("/admin/users/{id}/unlink", .admin, csrf: .formField, unlinkForm)
        router.post("/admin/users/{id}/delete", .admin, csrf: .formField, deleteForm)

        router.get("/api/admin/users", .admin, list)
        router.get("/api/admin/users/{id}", .admin, show)
        router.post("/api/admin/users/{id}/unlink", .admin, csrf: .header, unlink)
        router.delete("/api/admin/users/{id}", .admin, csrf: .header, delete)
    }

    private static func administration(_ context: RequestContext) throws -> UserAdministration {
        UserAdministration(db: context.db, actor: try context.auditActor())
    }

    /// `?q=` (part of a name, email, Discord username or display name, or a whole Discord id), `?limit=`, `?before=`.
    private static func users(_ request: Request, _ context: RequestContext) throws -> (UserAdministration.Page, search: String) {
        let query = try ListQuery(request, maxLimit: UserAdministration.maxPageSize)
        let search = request.query["q"] ?? ""
        guard search.count <= 100 else { throw HTTPError.validation([FieldError("q", "must be at most 100 characters")]) }
        return (try administration(context).list(search: search, limit: query.limit, beforeID: query.beforeID), search)
    }

    // MARK: - JSON API

    private static func list(_ request: Request, _ context: RequestContext) throws -> Response {
        let (page, _) = try users(request, context)
        return .json(["users": .array(page.users.map(json)), "next_before": page.nextBeforeID.map(JSON.int) ?? .null])
    }

    private static func show(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(json(try administration(context).user(id: try request.idParameter())))
    }

    private static func unlink(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(json(try administration(context).unlinkDiscordAccount(userID: try request.idParameter())))
    }

    private static func delete(_ request: Request, _ context: RequestContext) throws -> Response {
        let deletion = try administration(context).delete(userID: try request.idParameter())
        return .json([
            "success": true, "deleted_user_id": .int(deletion.user.id), "files_marked": .int(deletion.filesMarked),
            "sessions_ended": .int(deletion.sessionsEnded), "cleanup_job_id": deletion.cleanupJob.map { .int($0.id) } ?? .null,
        ])
    }

    static func json(_ user: UserSummary) -> JSON {
        [
            "id": .int(user.id), "name": .string(user.name), "email": user.email.json, "verified": .bool(user.verified),
            "linked": .bool(user.discordID != nil), "discord_id": user.discordID.json, "discord_username": user.discordUsername.json,
            "discord_global_name": user.discordGlobalName.json,
            "created_at": user.createdAt.map(ISO8601Timestamp.format).json,
            "groups": .array(user.groups.map { ["id": .int($0.id), "name": .string($0.name)] }),
            "files": .int(user.files),
        ]
    }

    // MARK: - Page

    private static func page(_ request: Request, _ context: RequestContext, errors: [FieldError] = [], status: HTTPStatus = .ok) throws
        -> Response
    {
        let (page, search) = try users(request, context)
        var values: [String: Any] = [
            "users": page.users.map(row), "empty": page.users.isEmpty, "q": search, "paged": request.query["before"] != nil,
        ]
        let searched = search.isEmpty ? [] : [(name: "q", value: search)]
        values["first_page"] = FormEncoding.appendQuery(searched, to: "/admin/users")
        if let before = page.nextBeforeID {
            values["next_page"] = FormEncoding.appendQuery(searched + [("before", String(before))], to: "/admin/users")
        }
        return try AdminPage.render(
            "admin-users", .users, values,
            notices: [
                "unlinked": "Discord account unlinked; the user was signed out everywhere.",
                "deleted": "User deleted; their files' messages are being removed from Discord.",
            ],
            errors: errors, status: status, context: context)
    }

    private static func row(_ user: UserSummary) -> [String: Any] {
        [
            "id": user.id, "name": user.name, "email": user.email ?? "", "verified": user.verified,
            "discord_id": user.discordID ?? "", "discord_username": user.discordUsername ?? "",
            "discord_global_name": user.discordGlobalName ?? "", "linked": user.discordID != nil,
            "status": user.discordID != nil ? "linked" : user.verified ? "verified" : "onboarded",
            "groups": user.groups.map(\.name).joined(separator: ", "), "files": user.files,
        ]
    }

    private static func unlinkForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try page(request, context, errors: errors, status: status)
        } action: {
            _ = try administration(context).unlinkDiscordAccount(userID: try request.idParameter())
            return "/admin/users?notice=unlinked"
        }
    }

    /// Needs the form's `confirm` box ticked: deleting cannot be undone.
    private static func deleteForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try page(request, context, errors: errors, status: status)
        } action: {
            guard fields["confirm"] == "yes" else {
                throw HTTPError.validation([FieldError("confirm", "tick the box to confirm: deleting a user cannot be undone")])
            }
            _ = try administration(context).delete(userID: try request.idParameter())
            return "/admin/users?notice=deleted"
        }
    }
}
