import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A change to a member's roles and nickname, however it is made: by the bot through REST or by someone
/// on Discord through the control API.
struct MemberEdit: Sendable {
    enum Nick: Sendable {
        case keep
        /// `nil` removes the nickname.
        case set(String?)
    }

    /// The member's new role ids; `nil` keeps them.
    var roles: [String]?
    var nick = Nick.keep
}

/// Changes to members and roles and the dispatches they cause (docs: `events/gateway-events` "Guild Member
/// Update", "Guild Role Create", "Guild Role Update", "Guild Role Delete").
extension GatewayState {
    /// Applies the edit, logs each role added or removed and the nickname change, and dispatches
    /// GUILD_MEMBER_UPDATE if anything changed: to sessions with GUILD_MEMBERS, and about the bot itself to
    /// every session ("sent for current-user updates regardless of whether the GUILD_MEMBERS intent is set",
    /// `events/gateway` "Gateway Intents"). `nil` for an unknown member.
    mutating func editMember(
        id: String,
        _ edit: MemberEdit,
        by actor: MemberChange.Actor,
        reason: String?,
        now: ContinuousClock.Instant
    ) -> GuildMember? {
        guard let member = guild.member(id: id) else { return nil }
        let newRoles = edit.roles.map(Self.unique) ?? member.roles
        var kinds = newRoles.filter { !member.roles.contains($0) }.map(MemberChange.Kind.roleAdded)
        kinds += member.roles.filter { !newRoles.contains($0) }.map(MemberChange.Kind.roleRemoved)
        if case .set(let nick) = edit.nick, nick != member.nick { kinds.append(.nick(from: member.nick, to: nick)) }
        guard !kinds.isEmpty else { return member }

        let date = Date()
        memberChanges.record(kinds.map { MemberChange(userID: id, kind: $0, actor: actor, reason: reason, time: date) })
        let updated = guild.updateMember(id: id) { member in
            member.roles = newRoles
            if case .set(let nick) = edit.nick { member.nick = nick }
        }
        guard let updated else { return nil }
        let intent: GatewayIntents = id == guild.botID ? [] : .guildMembers
        dispatch([GatewayEvent("GUILD_MEMBER_UPDATE", updated.json(guildID: guild.id), requires: intent)], now: now)
        return updated
    }

    /// Adds a role at its position and dispatches GUILD_ROLE_CREATE.
    mutating func createRole(_ role: SandboxRole, now: ContinuousClock.Instant) -> SandboxRole {
        guild.roles.insert(role, at: role.position)
        let created = guild.roles.role(id: role.id) ?? role
        dispatch([roleEvent("GUILD_ROLE_CREATE", created)], now: now)
        return created
    }

    /// Changes a role (and moves it when `position` is given) and dispatches GUILD_ROLE_UPDATE; `nil` for an
    /// unknown role.
    mutating func updateRole(
        id: String,
        moveTo position: Int?,
        now: ContinuousClock.Instant,
        _ change: (inout SandboxRole) -> Void
    ) -> SandboxRole? {
        guard let updated = guild.roles.update(id: id, moveTo: position, change) else { return nil }
        dispatch([roleEvent("GUILD_ROLE_UPDATE", updated)], now: now)
        return updated
    }

    /// Deletes a role, takes it from its members and dispatches GUILD_ROLE_DELETE; `nil` for an unknown role.
    mutating func deleteRole(id: String, now: ContinuousClock.Instant) -> SandboxRole? {
        guard let removed = guild.removeRole(id: id) else { return nil }
        dispatch([GatewayEvent("GUILD_ROLE_DELETE", ["guild_id": .string(guild.id), "role_id": .string(id)], requires: .guilds)], now: now)
        return removed
    }

    private func roleEvent(_ name: String, _ role: SandboxRole) -> GatewayEvent {
        GatewayEvent(name, ["guild_id": .string(guild.id), "role": role.json], requires: .guilds)
    }

    /// The ids in their first order, each once.
    private static func unique(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }
}
