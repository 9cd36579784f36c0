import Foundation
import GuildGateCore
import JSONSupport
import Store
import WireFormats

/// The staff roster in the admin panel (`StaffAdministration` has the rules): the `/admin/staff` pages and
/// `/api/admin/staff…`: list (active and inactive), create, edit, deactivate and reactivate, CSV import and
/// export.
enum StaffAdminRoutes {
    /// A roster CSV may be larger than a form: a few thousand rows.
    static let importLimit = 512 * 1024

    static func register(on router: inout Router) {
        router.get("/admin/staff", .admin) { request, context in try listPage(request, context) }
        router.post("/admin/staff", .admin, csrf: .formField, createForm)
        router.post("/admin/staff/import", .admin, csrf: .formField, importForm)
        router.get("/admin/staff/{id}", .admin) { request, context in try editPage(request, context) }
        router.post("/admin/staff/{id}", .admin, csrf: .formField, editForm)
        router.post("/admin/staff/{id}/deactivate", .admin, csrf: .formField) { try activeForm($0, $1, active: false) }
        router.post("/admin/staff/{id}/reactivate", .admin, csrf: .formField) { try activeForm($0, $1, active: true) }

        router.get("/api/admin/staff", .admin, list)
        router.post("/api/admin/staff", .admin, csrf: .header, create)
        router.get("/api/admin/staff/export", .admin, export)
        router.post("/api/admin/staff/import", .admin, csrf: .header, importCSV)
        router.get("/api/admin/staff/{id}", .admin, show)
        router.put("/api/admin/staff/{id}", .admin, csrf: .header, update)
        router.delete("/api/admin/staff/{id}", .admin, csrf: .header, deactivate)
    }

    private static func administration(_ context: RequestContext) throws -> StaffAdministration {
        StaffAdministration(db: context.db, actor: try context.auditActor())
    }

    // MARK: - JSON API

    private static func list(_ request: Request, _ context: RequestContext) throws -> Response {
        let active: Bool?
        switch request.query["active"] {
        case nil: active = nil
        case "true": active = true
        case "false": active = false
        default: throw HTTPError.validation([FieldError("active", "must be true or false")])
        }
        return .json(["staff": .array(try administration(context).members(active: active).map(json))])
    }

    private static func show(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(json(try administration(context).member(id: try request.idParameter())))
    }

    private static func create(_ request: Request, _ context: RequestContext) throws -> Response {
        var fields = JSONFields(try request.jsonObject())
        let name = fields.string("name"), rank = fields.string("rank"), discordID = fields.string("discord_id")
        try fields.check()
        let member = try administration(context).create(name: name ?? "", rank: rank ?? "", discordID: discordID ?? "")
        var response = Response.json(json(member), status: .created)
        response.addHeader("Location", "/api/admin/staff/\(member.id)")
        return response
    }

    /// Changes the members given (`name`, `rank`, `discord_id`, `active`, `presence_card_public`); the others
    /// keep their value.
    private static func update(_ request: Request, _ context: RequestContext) throws -> Response {
        let id = try request.idParameter()
        var fields = JSONFields(try request.jsonObject())
        let changes = StaffAdministration.Changes(
            name: fields.string("name"), rank: fields.string("rank"), discordID: fields.string("discord_id"), active: fields.bool("active"),
            presenceCardPublic: fields.bool("presence_card_public"))
        try fields.check()
        guard changes != StaffAdministration.Changes() else {
            throw HTTPError.badRequest("Give at least one of name, rank, discord_id, active and presence_card_public.")
        }
        return .json(json(try administration(context).update(id: id, changes)))
    }

    /// Deactivates the member: they leave the roster, their details stay (`PUT` with `"active": true` brings them back).
    private static func deactivate(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(json(try administration(context).setActive(id: try request.idParameter(), false)))
    }

    /// The CSV as the body (`text/csv`), or as the `csv` member of a JSON object.
    private static func importCSV(_ request: Request, _ context: RequestContext) throws -> Response {
        let text: String
        switch request.mediaType {
        case "text/csv"?:
            guard let decoded = String(validating: try request.collectBody(limit: importLimit), as: UTF8.self) else {
                throw HTTPError.badRequest("The CSV is not UTF-8 text.")
            }
            text = decoded
        case "application/json"?:
            var fields = JSONFields(try request.jsonObject(limit: importLimit))
            let csv = fields.string("csv")
            try fields.check()
            guard let csv else { throw HTTPError.validation([FieldError("csv", "is required")]) }
            text = csv
        default:
            throw HTTPError.unsupportedMediaType(expected: "text/csv (or application/json with a csv member)")
        }
        let summary = try administration(context).importCSV(text)
        return .json(["success": true, "created": .int(summary.created), "updated": .int(summary.updated)])
    }

    /// The whole roster, active and inactive, as a CSV that the import reads back.
    private static func export(_ request: Request, _ context: RequestContext) throws -> Response {
        let csv = try administration(context).exportCSV()
        return Response(
            headers: [
                ("Content-Type", "text/csv; charset=utf-8; header=present"),
                ("Content-Disposition", ContentDisposition.attachment(filename: "staff.csv")),
            ],
            body: .bytes(Array(csv.utf8)))
    }

    static func json(_ member: StaffMember) -> JSON {
        [
            "id": .int(member.id), "name": .string(member.name), "rank": .string(member.rank),
            "discord_id": .string(member.discordID), "active": .bool(member.active),
            "presence_card_public": .bool(member.presenceCardPublic), "user_id": member.userID.map(JSON.int) ?? .null,
            "created_at": member.createdAt.map(ISO8601Timestamp.format).json,
            "updated_at": member.updatedAt.map(ISO8601Timestamp.format).json,
        ]
    }

    // MARK: - Pages

    private static func listPage(
        _ request: Request, _ context: RequestContext, form: [String: String] = [:], errors: [FieldError] = [], csv: String = "",
        status: HTTPStatus = .ok
    ) throws -> Response {
        let members = try administration(context).members()
        let count = { (text: String?) in text.flatMap { Int($0) }.map(String.init) ?? "0" }
        return try AdminPage.render(
            "admin-staff", .staff,
            [
                "members": members.map(row), "empty": members.isEmpty,
                "active_count": members.filter(\.active).count, "inactive_count": members.filter { !$0.active }.count,
                "name": form["name"] ?? "", "rank": form["rank"] ?? "", "discord_id": form["discord_id"] ?? "", "csv": csv,
                "max_name": StaffDetails.maxNameLength, "max_rank": StaffDetails.maxRankLength,
            ],
            notices: [
                "created": "Staff member added.", "updated": "Staff member saved.", "deactivated": "Staff member deactivated.",
                "reactivated": "Staff member reactivated.",
                "imported": "Roster imported: \(count(request.query["created"])) created, \(count(request.query["updated"])) updated.",
            ],
            errors: errors, status: status, context: context)
    }

    private static func editPage(
        _ request: Request, _ context: RequestContext, form: [String: String]? = nil, errors: [FieldError] = [], status: HTTPStatus = .ok
    ) throws -> Response {
        let member = try administration(context).member(id: try request.idParameter())
        return try AdminPage.render(
            "admin-staff-edit", .staff,
            [
                "id": member.id, "name": form?["name"] ?? member.name, "rank": form?["rank"] ?? member.rank,
                "discord_id": form?["discord_id"] ?? member.discordID, "active": form.map { $0["active"] != nil } ?? member.active,
                "presence_card_public": form.map { $0["presence_card_public"] != nil } ?? member.presenceCardPublic,
                "linked": member.userID != nil, "max_name": StaffDetails.maxNameLength, "max_rank": StaffDetails.maxRankLength,
            ],
            errors: errors, status: status, context: context)
    }

    private static func row(_ member: StaffMember) -> [String: Any] {
        ["id": member.id, "name": member.name, "rank": member.rank, "discord_id": member.discordID, "active": member.active]
    }

    private static func createForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try listPage(request, context, form: fields, errors: errors, status: status)
        } action: {
            _ = try administration(context).create(
                name: fields["name"] ?? "", rank: fields["rank"] ?? "", discordID: fields["discord_id"] ?? "")
            return "/admin/staff?notice=created"
        }
    }

    private static func editForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try editPage(request, context, form: fields, errors: errors, status: status)
        } action: {
            let changes = StaffAdministration.Changes(
                name: fields["name"] ?? "", rank: fields["rank"] ?? "", discordID: fields["discord_id"] ?? "",
                active: fields["active"] != nil, presenceCardPublic: fields["presence_card_public"] != nil)
            _ = try administration(context).update(id: try request.idParameter(), changes)
            return "/admin/staff?notice=updated"
        }
    }

    private static func activeForm(_ request: Request, _ context: RequestContext, active: Bool) throws -> Response {
        let fields = try request.formFields()
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try listPage(request, context, errors: errors, status: status)
        } action: {
            _ = try administration(context).setActive(id: try request.idParameter(), active)
            return "/admin/staff?notice=" + (active ? "reactivated" : "deactivated")
        }
    }

    /// The file picked (`file`) or, when none was, the text pasted (`csv`).
    private static func importForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formOrMultipartFields(limit: importLimit)
        let file = fields["file"] ?? ""
        let text = file.isEmpty ? fields["csv"] ?? "" : file
        return try AdminPage.submit(context, fields: fields) { errors, status in
            try listPage(request, context, errors: errors, csv: fields["csv"] ?? "", status: status)
        } action: {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw HTTPError.validation([FieldError("file", "choose a CSV file or paste the CSV")])
            }
            let summary = try administration(context).importCSV(text)
            return "/admin/staff?notice=imported&created=\(summary.created)&updated=\(summary.updated)"
        }
    }
}
