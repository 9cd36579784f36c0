import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The control API of the guild's members, under `/_sandbox`: who is in the guild, with which roles and
/// nickname, changes made by someone on Discord (not the bot), and the log of every change to members'
/// roles and nicknames.
enum MemberControlRoutes {
    static var routes: [Route] {
        [
            .control(.GET, "/guild/members") { context in
                let members = context.state.withLock { $0.gateway.guild.members }
                return .json([
                    "guild_id": .string(context.configuration.guildID),
                    "count": .int(members.count),
                    "members": .array(members.map(memberJSON)),
                ])
            },
            .control(.POST, "/guild/members", handler: addMembers),
            .control(.POST, "/guild/members/generate", handler: generateMembers),
            .control(.PATCH, "/guild/members/{user.id}", handler: editMember),
            .control(.DELETE, "/guild/members/{user.id}") { context in
                let id = context.parameters["user.id"] ?? ""
                let count = try context.state.withLock { parts throws(HTTPError) in
                    guard id != parts.gateway.guild.botID else { throw HTTPError.control("the bot cannot leave the guild") }
                    guard parts.gateway.removeMember(id: id, now: .now) != nil else { throw HTTPError.unknownMember(id) }
                    return parts.gateway.guild.members.count
                }
                return .json(["count": .int(count)])
            },
            .control(.GET, "/members/changes") { context in
                .json(["changes": .array(context.state.withLock { $0.gateway.memberChanges.entries }.map(\.json))])
            },
            .control(.DELETE, "/members/changes") { context in
                context.state.withLock { $0.gateway.memberChanges = MemberChangeLog() }
                return .json(["changes": []])
            },
            .control(.GET, "/members/{user.id}/changes") { context in
                let id = context.parameters["user.id"] ?? ""
                let changes = context.state.withLock { $0.gateway.memberChanges.changes(of: id) }
                return .json(["user_id": .string(id), "changes": .array(changes.map(\.json))])
            },
        ]
    }

    /// `{"members": [{"id", "username", "global_name"?, "nick"?, "roles"?, "status"?, "activities"?,
    /// "client_status"?}]}`: adds members or replaces those with the same id.
    @Sendable
    static func addMembers(_ context: RequestContext) async throws -> SandboxResponse {
        let members = try context.decodeBody(MembersRequest.self).members
        let count = try context.state.withLock { parts throws(HTTPError) in
            guard !members.contains(where: { $0.id == parts.gateway.guild.botID }) else {
                throw HTTPError.control("the bot is always a member; it cannot be replaced")
            }
            try requireRoles(members.flatMap(\.roles), in: parts.gateway.guild)
            parts.gateway.upsertMembers(members, now: .now)
            return parts.gateway.guild.members.count
        }
        return .json(["count": .int(count)])
    }

    /// `{"count": N, "online_fraction": 0.5, "roles": [...]}`: members `member<k>` numbered on from earlier
    /// generated ones, each with the roles.
    @Sendable
    static func generateMembers(_ context: RequestContext) async throws -> SandboxResponse {
        let request = try context.decodeBody(GenerateRequest.self)
        let (ids, count) = try context.state.withLock { parts throws(HTTPError) in
            try requireRoles(request.roles, in: parts.gateway.guild)
            let members = parts.gateway.guild.makeGeneratedMembers(
                count: request.count,
                onlineFraction: request.onlineFraction,
                roles: request.roles,
                now: Date()
            )
            parts.gateway.upsertMembers(members, now: .now)
            return (members.map(\.id), parts.gateway.guild.members.count)
        }
        return .json(["ids": .array(ids.map(JSON.string)), "count": .int(count)])
    }

    /// `{"roles"?: [...], "nick"?: "…" | null, "reason"?: "…"}`: someone on Discord gives or takes roles (the
    /// new list) or changes the nickname, without the bot's limits; logged as by `control` and dispatched as
    /// GUILD_MEMBER_UPDATE. The bot's own roles can be changed this way too.
    @Sendable
    static func editMember(_ context: RequestContext) async throws -> SandboxResponse {
        let id = context.parameters["user.id"] ?? ""
        let request = try context.decodeBody(MemberEditRequest.self)
        let member = try context.state.withLock { parts throws(HTTPError) in
            try requireRoles(request.edit.roles ?? [], in: parts.gateway.guild)
            guard let member = parts.gateway.editMember(id: id, request.edit, by: .control, reason: request.reason, now: .now) else {
                throw HTTPError.unknownMember(id)
            }
            return member
        }
        return .json(member.json)
    }

    /// A guild member object with its `presence`.
    private static func memberJSON(_ member: GuildMember) -> JSON {
        let presence: JSON = [
            "status": .string(member.presence.status.rawValue),
            "activities": member.presence.activities,
            "client_status": member.presence.clientStatus,
        ]
        return member.json(appending: [("presence", presence)])
    }

    private static func requireRoles(_ ids: [String], in guild: SandboxGuild) throws(HTTPError) {
        if let unknown = ids.first(where: { !guild.roles.isAssignable($0) }) {
            throw HTTPError.control("no role \(unknown) a member can hold (@everyone is everyone's)")
        }
    }
}

extension HTTPError {
    static func unknownMember(_ id: String) -> HTTPError {
        HTTPError(.notFound, json: ["error": .string("no member \(id) in the guild")])
    }
}

// MARK: - Request bodies

private struct MembersRequest: Decodable {
    let members: [GuildMember]
}

private struct GenerateRequest: Decodable {
    let count: Int
    let onlineFraction: Double
    let roles: [String]

    private enum CodingKeys: String, CodingKey {
        case count, roles
        case onlineFraction = "online_fraction"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        count = try container.decode(Int.self, forKey: .count)
        guard (1...100_000).contains(count) else {
            throw DecodingError.dataCorruptedError(forKey: .count, in: container, debugDescription: "must be 1...100000")
        }
        onlineFraction = try container.decodeIfPresent(Double.self, forKey: .onlineFraction) ?? 0.5
        guard (0...1).contains(onlineFraction) else {
            throw DecodingError.dataCorruptedError(forKey: .onlineFraction, in: container, debugDescription: "must be 0...1")
        }
        roles = try container.decodeIfPresent([String].self, forKey: .roles) ?? []
    }
}

/// `nick` absent keeps the nickname, `null` removes it; a nickname is sanitized and limited as Discord does.
private struct MemberEditRequest: Decodable {
    let edit: MemberEdit
    let reason: String?

    private enum CodingKeys: String, CodingKey {
        case roles, nick, reason
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var edit = MemberEdit(roles: try container.decodeIfPresent([String].self, forKey: .roles))
        if container.contains(.nick) {
            let nick = try container.decodeNil(forKey: .nick) ? nil : try container.decode(String.self, forKey: .nick)
            let sanitized = try nick.map { nick in
                guard let sanitized = GuildMember.sanitizedNick(nick) else {
                    throw DecodingError.dataCorruptedError(forKey: .nick, in: container, debugDescription: "1...32 characters")
                }
                return sanitized
            }
            edit.nick = .set(sanitized)
        }
        self.edit = edit
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
    }
}
