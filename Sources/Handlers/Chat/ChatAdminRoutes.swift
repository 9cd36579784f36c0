import Foundation
import GuildGateCore
import JSONSupport
import Store

/// The chat personalities in the admin panel (`PersonalityAdministration` has the rules): the
/// `/admin/chat` page, each personality's system prompt with a form to edit it, and
/// `/api/admin/chat/personalities…`.
enum ChatAdminRoutes {
    static func register(on router: inout Router) {
        router.get("/admin/chat", .admin) { request, context in try page(request, context) }
        router.post("/admin/chat/{name}", .admin, csrf: .formField, updateForm)

        router.get("/api/admin/chat/personalities", .admin) { _, context in
            .json(["personalities": .array(try administration(context).personalities().map(json))])
        }
        router.put("/api/admin/chat/personalities/{name}", .admin, csrf: .header, update)
    }

    private static func administration(_ context: RequestContext) throws -> PersonalityAdministration {
        PersonalityAdministration(db: context.db, actor: try context.auditActor())
    }

    /// `{"prompt": "…"}` → the personality.
    private static func update(_ request: Request, _ context: RequestContext) throws -> Response {
        let name = try request.textParameter("name")
        var fields = JSONFields(try request.jsonObject())
        let prompt = fields.string("prompt")
        try fields.check()
        guard let prompt else { throw HTTPError.validation([FieldError("prompt", "is required")]) }
        return .json(json(try administration(context).update(name: name, prompt: prompt)))
    }

    static func json(_ personality: ChatPersonality) -> JSON {
        [
            "name": .string(personality.name), "prompt": .string(personality.prompt),
            "updated_at": personality.updatedAt.map(ISO8601Timestamp.format).json, "updated_by": personality.updatedBy.json,
        ]
    }

    // MARK: - Page

    private static func page(_ request: Request, _ context: RequestContext, errors: [FieldError] = [], status: HTTPStatus = .ok) throws
        -> Response
    {
        let personalities = try administration(context).personalities().map { personality -> [String: Any] in
            var row: [String: Any] = ["name": personality.name, "prompt": personality.prompt]
            // Absent, not "": Mustache shows a section for any string.
            if let by = personality.updatedBy, let at = personality.updatedAt {
                row["updated_by"] = by
                row["updated"] = RelativeTime.ago(at, now: context.now)
            }
            return row
        }
        return try AdminPage.render(
            "admin-chat", .chat, ["personalities": personalities, "max_prompt_length": PersonalityAdministration.maxPromptLength],
            notices: ["saved": "Prompt saved: the bot uses it from the next reply on."], errors: errors, status: status,
            context: context)
    }

    private static func updateForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try page(request, context, errors: errors, status: status)
        } action: {
            _ = try administration(context).update(name: try request.textParameter("name"), prompt: fields["prompt"] ?? "")
            return "/admin/chat?notice=saved"
        }
    }
}
