import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Control calls that arrange the guild's roles as its admins do in Server Settings → Roles: create, change,
/// move and delete roles, and move the bot's own role or change what it grants. Each dispatches the
/// GUILD_ROLE_* event Discord would.
enum RoleControlRoutes {
    static var routes: [Route] {
        [
            .control(.GET, "/guild/roles") { context in
                .json(context.state.withLock { $0.gateway.guild.roles.json })
            },
            .control(.POST, "/guild/roles", handler: create),
            .control(.PATCH, "/guild/roles/{role.id}") { context in
                try update(context, roleID: context.parameters["role.id"] ?? "")
            },
            .control(.PUT, "/guild/bot-role") { context in
                try update(context, roleID: SandboxGuild.botRoleID)
            },
            .control(.DELETE, "/guild/roles/{role.id}") { context in
                let id = context.parameters["role.id"] ?? ""
                guard id != context.configuration.guildID, id != SandboxGuild.botRoleID else {
                    throw HTTPError.control("@everyone and the bot's role cannot be deleted")
                }
                let deleted = context.state.withLock { $0.gateway.deleteRole(id: id, now: .now) }
                guard let deleted else { throw HTTPError.unknownRoleSetting(id) }
                return .json(deleted.json)
            },
        ]
    }

    /// `{"name", "id"?, "position"? (default 1, the bottom), "permissions"? (default "0"), "hoist"?,
    /// "mentionable"?, "managed"?, "bot_id"?}` → the role object. A managed role is an integration's, or with
    /// `bot_id` a bot's.
    @Sendable
    static func create(_ context: RequestContext) async throws -> SandboxResponse {
        let setting = try context.decodeBody(RoleSetting.self)
        guard let name = setting.name else { throw HTTPError.control("name: required") }
        let role = try context.state.withLock { parts throws(HTTPError) in
            let id = setting.id ?? parts.snowflakes.next(now: Date())
            guard parts.gateway.guild.roles.role(id: id) == nil else { throw HTTPError.control("a role \(id) exists") }
            var role = SandboxRole(id: id, name: name, position: setting.position ?? 1, permissions: setting.permissions ?? 0)
            setting.apply(to: &role, integrationID: parts.snowflakes.next(now: Date()))
            return parts.gateway.createRole(role, now: .now)
        }
        return .json(role.json)
    }

    /// Any of the fields of `create` but `id` → the role object. `@everyone` keeps position 0 and is never managed.
    private static func update(_ context: RequestContext, roleID: String) throws(HTTPError) -> SandboxResponse {
        let setting = try context.decodeBody(RoleSetting.self)
        guard setting.id == nil else { throw HTTPError.control("id: a role's id cannot change") }
        if roleID == context.configuration.guildID, setting.position != nil || setting.managed != nil {
            throw HTTPError.control("@everyone stays at position 0 and is not managed")
        }
        let role = context.state.withLock { parts in
            let integrationID = parts.snowflakes.next(now: Date())
            return parts.gateway.updateRole(id: roleID, moveTo: setting.position, now: .now) { role in
                setting.apply(to: &role, integrationID: integrationID)
            }
        }
        guard let role else { throw HTTPError.unknownRoleSetting(roleID) }
        return .json(role.json)
    }
}

extension HTTPError {
    fileprivate static func unknownRoleSetting(_ id: String) -> HTTPError {
        HTTPError(.notFound, json: ["error": .string("no role \(id) in the guild")])
    }
}

/// The body of the role calls: every field optional.
private struct RoleSetting: Decodable {
    let id: String?
    let name: String?
    let position: Int?
    let permissions: UInt64?
    let hoist: Bool?
    let mentionable: Bool?
    let managed: Bool?
    let botID: String?

    private enum CodingKeys: String, CodingKey {
        case id, name, position, permissions, hoist, mentionable, managed
        case botID = "bot_id"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        if let id, Snowflake.value(id) == nil {
            throw DecodingError.dataCorruptedError(forKey: .id, in: container, debugDescription: "not a snowflake")
        }
        name = try container.decodeIfPresent(String.self, forKey: .name)
        if let name, !(1...100).contains(name.count) {
            throw DecodingError.dataCorruptedError(forKey: .name, in: container, debugDescription: "1...100 characters")
        }
        position = try container.decodeIfPresent(Int.self, forKey: .position)
        if let position, position < 1 {
            throw DecodingError.dataCorruptedError(forKey: .position, in: container, debugDescription: "must be at least 1")
        }
        permissions = try container.decodeIfPresent(String.self, forKey: .permissions).map { text in
            guard let bits = UInt64(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .permissions, in: container, debugDescription: "must be a decimal bitfield string")
            }
            return bits
        }
        hoist = try container.decodeIfPresent(Bool.self, forKey: .hoist)
        mentionable = try container.decodeIfPresent(Bool.self, forKey: .mentionable)
        managed = try container.decodeIfPresent(Bool.self, forKey: .managed)
        botID = try container.decodeIfPresent(String.self, forKey: .botID)
        if let botID, Snowflake.value(botID) == nil {
            throw DecodingError.dataCorruptedError(forKey: .botID, in: container, debugDescription: "not a snowflake")
        }
    }

    /// Sets the given fields (not the position, which `GuildRoles` keeps); `managed` without `bot_id` makes an
    /// integration's role, with `integrationID` if it was not one already.
    func apply(to role: inout SandboxRole, integrationID: String) {
        if let name { role.name = name }
        if let permissions { role.permissions = permissions }
        if let hoist { role.hoist = hoist }
        if let mentionable { role.mentionable = mentionable }
        if let botID {
            role.manager = .bot(id: botID)
        } else if let managed {
            role.manager = managed ? (role.manager ?? .integration(id: integrationID)) : nil
        }
    }
}
