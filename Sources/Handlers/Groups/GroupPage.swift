import Foundation
import GuildGateCore
import Store

/// `/admin/groups`: the groups with their roles and members, the drift a verify would fix, and a form for
/// each change (Sync groups, create, map, delete, add and remove members, verify now). Each form posts, then
/// comes back here with what was done (`?notice=`), or shows the page again with why not (`AdminPage`).
enum GroupPage {
    static func register(on router: inout Router) {
        router.get("/admin/groups", .admin) { request, context in try page(request, context) }
        router.post(
            "/admin/groups/sync", .admin, csrf: .formField,
            form { _, _, commands in
                _ = try commands.sync()
                return "synced"
            })
        router.post(
            "/admin/groups", .admin, csrf: .formField,
            form { _, fields, commands in
                let name = try GroupCommands.name(fields["name"])
                _ = try commands.create(name: name, roleID: try GroupCommands.roleID(fields["role_id"]))
                return "created"
            })
        router.post(
            "/admin/groups/verify", .admin, csrf: .formField,
            form { _, _, commands in
                _ = try commands.verifyAll()
                return "verifying"
            })
        router.post(
            "/admin/groups/{id}/role", .admin, csrf: .formField,
            form { request, fields, commands in
                let roleID = try GroupCommands.roleID(fields["role_id"])
                _ = try commands.map(groupID: try request.idParameter(), roleID: roleID)
                return roleID == nil ? "unmapped" : "mapped"
            })
        router.post(
            "/admin/groups/{id}/delete", .admin, csrf: .formField,
            form { request, _, commands in
                try commands.delete(groupID: try request.idParameter())
                return "deleted"
            })
        router.post(
            "/admin/groups/{id}/members", .admin, csrf: .formField,
            form { request, fields, commands in
                let change = try commands.addMember(
                    groupID: try request.idParameter(), discordID: try GroupCommands.discordID(fields["discord_id"]))
                return change.changed ? "added" : "unchanged"
            })
        router.post(
            "/admin/groups/{id}/members/remove", .admin, csrf: .formField,
            form { request, fields, commands in
                let change = try commands.removeMember(
                    groupID: try request.idParameter(), discordID: try GroupCommands.discordID(fields["discord_id"]))
                return change.changed ? "removed" : "unchanged"
            })
    }

    /// What each form did, by the key its redirect names.
    static let notices = [
        "synced": "Groups synced with the server's roles.",
        "created": "Group created.",
        "mapped": "Role mapped: verify gives it to the group's members and takes it from everyone else who has it.",
        "unmapped": "Role unmapped: GuildGate no longer touches it.",
        "deleted": "Group deleted. Its role, if it had one, is no longer touched; members keep it on Discord.",
        "unchanged": "Nothing changed.",
        "added": "Member added; a verify of them is queued, so Discord follows within seconds.",
        "removed": "Member removed; a verify of them is queued, so Discord follows within seconds.",
        "verifying": "Verify queued: every linked member gets exactly the mapped roles of their groups.",
    ]

    /// A form's handler: `action` returns the notice to come back with.
    private static func form(_ action: @escaping (Request, [String: String], GroupCommands) throws -> String) -> Handler {
        { request, context in
            let fields = try request.formFields()
            return try AdminPage.submit(context, fields: fields) { errors, status in
                try page(request, context, errors: errors, status: status)
            } action: {
                "/admin/groups?notice=" + (try action(request, fields, GroupCommands(context)))
            }
        }
    }

    private static func page(_ request: Request, _ context: RequestContext, errors: [FieldError] = [], status: HTTPStatus = .ok) throws
        -> Response
    {
        let groups = GroupStore(context.db)
        let members = Dictionary(grouping: try groups.members(), by: \.groupID)
        let drift = context.config.discordGuildID == nil ? nil : try GroupCommands(context).drift()
        return try AdminPage.render(
            "admin-groups", .groups,
            [
                "groups": try groups.all().map { group -> [String: Any] in
                    [
                        "id": group.id, "name": group.name, "role_id": group.roleID ?? "", "imported": group.source == .discord,
                        "member_count": group.memberCount,
                        "members": (members[group.id] ?? []).map { member -> [String: Any] in
                            ["discord_id": member.discordID ?? "", "name": member.discordUsername ?? member.name]
                        },
                    ]
                },
                "drift": (drift?.members ?? []).map { member -> [String: Any] in
                    // Absent, not empty: Mustache renders a section for any string, "" included.
                    var values: [String: Any] = ["discord_id": member.discordID, "username": member.username ?? member.discordID]
                    if !member.add.isEmpty { values["add"] = member.add.map(roleName).joined(separator: ", ") }
                    if !member.remove.isEmpty { values["remove"] = member.remove.map(roleName).joined(separator: ", ") }
                    return values
                },
                "drift_known": drift != nil, "no_drift": drift?.members.isEmpty == true,
            ],
            notices: notices, errors: errors, status: status, context: context)
    }

    private static func roleName(_ role: DriftPreview.Role) -> String {
        role.group.map { "\($0) (\(role.id))" } ?? role.id
    }
}
