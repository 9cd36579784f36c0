import GuildGateCore
import JSONSupport

/// The Discord client (seed 004's "Discord client"): `/admin/client` and `GET`/`PUT /api/admin/client`. Saving
/// goes through `ClientSettingsUpdate`: checked on its own, then by Discord, then stored and audited.
enum ClientSettingsRoutes {
    static func register(on router: inout Router) {
        router.get("/admin/client", .admin, page)
        router.post("/admin/client", .admin, csrf: .formField, submitForm)
        router.get("/api/admin/client", .admin) { _, context in .json(try ClientSettingsView(context).json) }
        router.put("/api/admin/client", .admin, csrf: .header, submitJSON)
    }

    private static func update(_ context: RequestContext) -> ClientSettingsUpdate {
        ClientSettingsUpdate(
            settings: context.services.environment.settings, db: context.db, logger: context.logger,
            discord: { context.adminDiscord(config: $0) })
    }

    /// What a save did, by the key its redirect names.
    static let notices = [
        "saved": "Saved. Every process picks the new settings up by itself.",
        "unchanged": "Nothing changed.",
    ]

    private static func page(_ request: Request, _ context: RequestContext) throws -> Response {
        try render(try ClientSettingsView(context), context: context)
    }

    private static func render(
        _ view: ClientSettingsView, context: RequestContext, notice: String? = nil, submitted: [String: String]? = nil,
        refusal: (any HTTPResponseError)? = nil
    ) throws -> Response {
        // Absent, not empty: Mustache renders a section for any string, "" included.
        var values: [String: Any] = ["fields": view.formFields(submitted: submitted, errors: refusal?.fieldErrors ?? [])]
        values["notice"] = notice
        values["updated_by"] = view.updatedBy
        values["updated_at"] = view.updatedAt.map(ISO8601Timestamp.format)
        // The refusal's summary on top; each field's own message at the field.
        return try AdminPage.render(
            "admin-client", .client, values, notices: notices, errors: refusal.map { [FieldError("", $0.publicMessage)] } ?? [],
            status: refusal?.status ?? .ok, context: context)
    }

    private static func submitForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        try context.verifyCSRF(fields["csrf_token"])
        do {
            let saved = try update(context).apply(ClientSettingsInput.change(fromForm: fields), by: try context.auditActor())
            return .redirect(to: "/admin/client?notice=" + (saved.changedNothing ? "unchanged" : "saved"), status: .seeOther)
        } catch let refusal as ClientSettingsRefusal {
            // The form again with what was typed, but never a secret.
            let typed = fields.filter { key, _ in DiscordClientSettings.Field(rawValue: key).map { !$0.isSecret } ?? false }
            let secretsTyped = DiscordClientSettings.Field.allCases.contains { $0.isSecret && !(fields[$0.rawValue] ?? "").isEmpty }
            return try render(
                try ClientSettingsView(context), context: context,
                notice: secretsTyped ? "Secrets are never sent back: type them again." : nil, submitted: typed, refusal: refusal)
        }
    }

    private static func submitJSON(_ request: Request, _ context: RequestContext) throws -> Response {
        let change = try ClientSettingsInput.change(fromJSON: try request.jsonObject())
        let saved = try update(context).apply(change, by: try context.auditActor())
        guard case .object(var members) = try ClientSettingsView(context).json else { throw HTTPError.internalError }
        members.insert(("success", true), at: 0)
        members.append(
            (
                "saved",
                ["set": .array(saved.assigned.map { .string($0.rawValue) }), "cleared": .array(saved.cleared.map { .string($0.rawValue) })]
            ))
        return .json(.object(members))
    }
}
