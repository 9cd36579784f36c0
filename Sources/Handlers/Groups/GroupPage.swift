import Foundation
import GuildGateCore
import Store

/// `/admin/groups`: the groups with their roles and members, the drift a verify would fix, and a form for
/// each change (Sync groups, create, map, delete, add and remove members, verify now). Each form posts,
/// then comes back here with what was done (`done`), or shows the page again with what was wrong.
enum GroupPage {
    static func register(on router: inout Router) {
        router.get("/admin/groups", .admin) { request, context in try page(context, done: Done(request)) }
        router.post(
            "/admin/groups/sync", .admin, csrf: .formField,
            form { _, _, commands in
                .synced(created: try commands.sync().created)
            })
        router.post(
            "/admin/groups", .admin, csrf: .formField,
            form { _, fields, commands in
                let name = try GroupCommands.name(fields["name"])
                _ = try commands.create(name: name, roleID: try GroupCommands.roleID(fields["role_id"]))
                return .created
            })
        router.post(
            "/admin/groups/verify", .admin, csrf: .formField,
            form { _, _, commands in
                .verifying(job: try commands.verifyAll().id)
            })
        router.post(
            "/admin/groups/{id}/role", .admin, csrf: .formField,
            form { request, fields, commands in
                let roleID = try GroupCommands.roleID(fields["role_id"])
                _ = try commands.map(groupID: try GroupCommands.groupID(request), roleID: roleID)
                return roleID == nil ? .unmapped : .mapped
            })
        router.post(
            "/admin/groups/{id}/delete", .admin, csrf: .formField,
            form { request, _, commands in
                try commands.delete(groupID: try GroupCommands.groupID(request))
                return .deleted
            })
        router.post(
            "/admin/groups/{id}/members", .admin, csrf: .formField,
            form { request, fields, commands in
                let change = try commands.addMember(
                    groupID: try GroupCommands.groupID(request), discordID: try GroupCommands.discordID(fields["discord_id"]))
                return change.job.map { .added(job: $0.id) } ?? .unchanged
            })
        router.post(
            "/admin/groups/{id}/members/remove", .admin, csrf: .formField,
            form { request, fields, commands in
                let change = try commands.removeMember(
                    groupID: try GroupCommands.groupID(request), discordID: try GroupCommands.discordID(fields["discord_id"]))
                return change.job.map { .removed(job: $0.id) } ?? .unchanged
            })
    }

    /// What a form did, carried to the page in the query (`?done=added&job=12`): codes and numbers only,
    /// so no other site can put words on the page.
    enum Done: Equatable {
        case synced(created: Int)
        case created, mapped, unmapped, deleted, unchanged
        case added(job: Int)
        case removed(job: Int)
        case verifying(job: Int)

        init?(_ request: Request) {
            let number = request.query["n"].flatMap(Int.init) ?? 0
            switch request.query["done"] {
            case "synced": self = .synced(created: number)
            case "created": self = .created
            case "mapped": self = .mapped
            case "unmapped": self = .unmapped
            case "deleted": self = .deleted
            case "unchanged": self = .unchanged
            case "added": self = .added(job: number)
            case "removed": self = .removed(job: number)
            case "verifying": self = .verifying(job: number)
            default: return nil
            }
        }

        var query: String {
            switch self {
            case .synced(let created): return "done=synced&n=\(created)"
            case .created: return "done=created"
            case .mapped: return "done=mapped"
            case .unmapped: return "done=unmapped"
            case .deleted: return "done=deleted"
            case .unchanged: return "done=unchanged"
            case .added(let job): return "done=added&n=\(job)"
            case .removed(let job): return "done=removed&n=\(job)"
            case .verifying(let job): return "done=verifying&n=\(job)"
            }
        }

        var message: String {
            switch self {
            case .synced(let created): return "Groups synced with the server's roles: \(created) new."
            case .created: return "Group created."
            case .mapped: return "Role mapped: verify gives it to the group's members and takes it from everyone else."
            case .unmapped: return "Role unmapped: GuildGate no longer touches it."
            case .deleted: return "Group deleted. Its role, if it had one, is no longer touched; members keep it on Discord."
            case .unchanged: return "Nothing changed."
            case .added(let job): return "Member added; Discord follows within seconds (job \(job))."
            case .removed(let job): return "Member removed; Discord follows within seconds (job \(job))."
            case .verifying(let job): return "Verify queued (job \(job)): every linked member gets exactly their groups' roles."
            }
        }
    }

    /// A form's handler: the CSRF token first, then `action`; back to the page with what it did, or the page
    /// again with why not.
    private static func form(_ action: @escaping (Request, [String: String], GroupCommands) throws -> Done) -> Handler {
        { request, context in
            let fields = try request.formFields()
            try context.verifyCSRF(fields["csrf_token"])
            do {
                let done = try action(request, fields, GroupCommands(context))
                return .redirect(to: "/admin/groups?" + done.query, status: .seeOther)
            } catch let refusal as any HTTPResponseError {
                if refusal.isServerFailure {
                    context.logger.warning("group change failed", metadata: ["error": "\(refusal.publicMessage)"])
                }
                return try page(context, refusal: refusal)
            }
        }
    }

    private static func page(_ context: RequestContext, done: Done? = nil, refusal: (any HTTPResponseError)? = nil) throws -> Response {
        let groups = GroupStore(context.db)
        let members = Dictionary(grouping: try groups.members(), by: \.groupID)
        let drift = context.config.discordGuildID == nil ? nil : try GroupCommands(context).drift()
        var error = refusal?.publicMessage ?? ""
        if let fields = refusal?.fieldErrors, !fields.isEmpty {
            error += " " + fields.map { "\($0.field.replacingOccurrences(of: "_", with: " ")) \($0.message)" }.joined(separator: "; ")
        }
        var values: [String: Any] = [
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
                var values: [String: Any] = ["discord_id": member.discordID, "username": member.username ?? member.discordID]
                if !member.add.isEmpty { values["add"] = member.add.map(roleName).joined(separator: ", ") }
                if !member.remove.isEmpty { values["remove"] = member.remove.map(roleName).joined(separator: ", ") }
                return values
            },
            "drift_known": drift != nil, "no_drift": drift?.members.isEmpty == true,
        ]
        // Absent, not empty: Mustache renders a section for any string, "" included.
        values["notice"] = done?.message
        values["error"] = error.isEmpty ? nil : error
        return try context.renderAdmin("admin-groups", .groups, values, status: refusal?.status ?? .ok)
    }

    private static func roleName(_ role: DriftPreview.Role) -> String {
        role.group.map { "\($0) (\(role.id))" } ?? role.id
    }
}
