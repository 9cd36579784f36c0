import GuildGateCore
import JSONSupport
import Store

/// Groups and their Discord roles over HTTP: the JSON API under `/api/admin/groups` and the page
/// (`GroupPage`). Each change is audited; a membership change queues a verify of that member.
enum GroupRoutes {
    static func register(on router: inout Router) {
        GroupPage.register(on: &router)
        router.get("/api/admin/groups", .admin, list)
        router.post("/api/admin/groups", .admin, csrf: .header, create)
        router.post("/api/admin/groups/sync", .admin, csrf: .header, sync)
        router.get("/api/admin/groups/drift", .admin) { _, context in .json(driftJSON(try GroupCommands(context).drift())) }
        router.post("/api/admin/groups/verify", .admin, csrf: .header, verify)
        router.get("/api/admin/groups/{id}", .admin, show)
        router.delete("/api/admin/groups/{id}", .admin, csrf: .header) { request, context in
            try GroupCommands(context).delete(groupID: try request.idParameter())
            return .json(["success": true])
        }
        router.put("/api/admin/groups/{id}/role", .admin, csrf: .header, mapRole)
        router.delete("/api/admin/groups/{id}/role", .admin, csrf: .header) { request, context in
            .json(groupJSON(try GroupCommands(context).map(groupID: try request.idParameter(), roleID: nil)))
        }
        router.put("/api/admin/groups/{id}/members/{discord_id}", .admin, csrf: .header) { request, context in
            membershipJSON(
                try GroupCommands(context).addMember(
                    groupID: try request.idParameter(), discordID: try GroupCommands.discordID(request.parameters["discord_id"])))
        }
        router.delete("/api/admin/groups/{id}/members/{discord_id}", .admin, csrf: .header) { request, context in
            membershipJSON(
                try GroupCommands(context).removeMember(
                    groupID: try request.idParameter(), discordID: try GroupCommands.discordID(request.parameters["discord_id"])))
        }
    }

    private static func list(_ request: Request, _ context: RequestContext) throws -> Response {
        .json(["groups": .array(try GroupStore(context.db).all().map { groupJSON($0) })])
    }

    private static func show(_ request: Request, _ context: RequestContext) throws -> Response {
        let id = try request.idParameter()
        let groups = GroupStore(context.db)
        guard let group = try groups.group(id: id) else { throw GroupAdministrationError.unknownGroup(id) }
        return .json(groupJSON(group, members: try groups.members(groupID: id)))
    }

    /// `{"name": "Raiders", "role_id": "…"}` (the role optional).
    private static func create(_ request: Request, _ context: RequestContext) throws -> Response {
        let body = try request.jsonObject()
        let name = try GroupCommands.name(try string(body, "name"))
        let group = try GroupCommands(context).create(name: name, roleID: try GroupCommands.roleID(try string(body, "role_id")))
        return .json(groupJSON(group), status: .created)
    }

    /// `{"role_id": "…"}`; `null` unmaps.
    private static func mapRole(_ request: Request, _ context: RequestContext) throws -> Response {
        let roleID = try GroupCommands.roleID(try string(try request.jsonObject(), "role_id"))
        return .json(groupJSON(try GroupCommands(context).map(groupID: try request.idParameter(), roleID: roleID)))
    }

    private static func sync(_ request: Request, _ context: RequestContext) throws -> Response {
        let (roles, created) = try GroupCommands(context).sync()
        return .json([
            "success": true, "created": .int(created),
            "imported": .array(roles.roles.map { ["id": .string($0.id), "name": .string($0.name)] }),
            "skipped": .array(
                roles.skipped.map { ["id": .string($0.role.id), "name": .string($0.role.name), "reason": .string($0.reason)] }),
            "groups": .array(try GroupStore(context.db).all().map { groupJSON($0) }),
        ])
    }

    private static func verify(_ request: Request, _ context: RequestContext) throws -> Response {
        let job = try GroupCommands(context).verifyAll()
        var response = Response.json(["success": true, "job_id": .int(job.id), "status": .string(job.state.rawValue)], status: .accepted)
        response.addHeader("Location", "/api/jobs/\(job.id)")
        return response
    }

    /// A string member of a JSON body, nil when absent or null; 400 for another type.
    private static func string(_ body: JSON, _ key: String) throws(HTTPError) -> String? {
        switch body[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw .validation([FieldError(key, "must be a string")])
        }
    }

    // MARK: - JSON

    static func groupJSON(_ group: Group, members: [GroupMember]? = nil) -> JSON {
        var fields: [(String, JSON)] = [
            ("id", .int(group.id)), ("name", .string(group.name)), ("role_id", group.roleID.json),
            ("source", .string(group.source.rawValue)),
            ("member_count", .int(group.memberCount)),
        ]
        if let members {
            fields.append(
                (
                    "members",
                    .array(
                        members.map { member in
                            [
                                "user_id": .int(member.userID), "discord_id": member.discordID.json, "name": .string(member.name),
                                "discord_username": member.discordUsername.json,
                            ]
                        })
                ))
        }
        return .object(fields)
    }

    private static func membershipJSON(_ change: GroupAdministration.MembershipChange) -> Response {
        .json([
            "success": true, "changed": .bool(change.changed), "group": groupJSON(change.group), "user_id": .int(change.user.id),
            "discord_id": change.user.discordID.json, "job_id": change.job.map { .int($0.id) } ?? .null,
        ])
    }

    static func driftJSON(_ preview: DriftPreview) -> JSON {
        func roles(_ roles: [DriftPreview.Role]) -> JSON {
            .array(roles.map { ["id": .string($0.id), "group": $0.group.json] })
        }
        return [
            "guild_id": .string(preview.guildID), "count": .int(preview.members.count),
            "members": .array(
                preview.members.map { member in
                    [
                        "discord_id": .string(member.discordID), "user_id": .int(member.userID), "username": member.username.json,
                        "add": roles(member.add), "remove": roles(member.remove),
                    ]
                }),
        ]
    }
}
