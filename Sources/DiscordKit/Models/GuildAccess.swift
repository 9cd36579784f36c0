import JSONSupport

/// The parts of a guild that decide what a member may do.
public struct DiscordGuild: Sendable, Equatable {
    public let id: String
    public let name: String
    public let ownerID: String?
    public let roles: [GuildRole]

    init(_ json: JSON) throws(DiscordError) {
        guard let id = json["id"]?.string else { throw .invalidResponse(status: 200, reason: "a guild without id") }
        self.id = id
        name = json["name"]?.string ?? ""
        ownerID = json["owner_id"]?.string
        roles = try (json["roles"] ?? []).decoded(as: [GuildRole].self)
    }

    /// The member's roles, highest first (`@everyone`, whose id is the guild's, last).
    public func roles(of roleIDs: [String]) -> [GuildRole] {
        roles.filter { roleIDs.contains($0.id) || $0.id == id }.sorted { $0.position > $1.position }
    }
}

/// A channel's permission overwrite: for a role (`@everyone`'s id is the guild's) or one member.
public struct PermissionOverwrite: Sendable, Equatable {
    public enum Target: Int, Sendable { case role = 0, member = 1 }

    public let id: String
    public let target: Target
    public let allow: Permissions
    public let deny: Permissions

    public init(id: String, target: Target, allow: Permissions, deny: Permissions) {
        self.id = id
        self.target = target
        self.allow = allow
        self.deny = deny
    }

    init?(_ json: JSON) {
        guard let id = json["id"]?.string, let target = json["type"]?.integer.flatMap(Target.init) else { return nil }
        self.init(
            id: id, target: target, allow: Permissions(discordString: json["allow"]?.string) ?? [],
            deny: Permissions(discordString: json["deny"]?.string) ?? [])
    }
}

/// The parts of a guild channel that decide who may use it.
public struct DiscordChannel: Sendable, Equatable {
    public let id: String
    public let name: String
    public let guildID: String?
    public let overwrites: [PermissionOverwrite]

    init(_ json: JSON) throws(DiscordError) {
        guard let id = json["id"]?.string else { throw .invalidResponse(status: 200, reason: "a channel without id") }
        self.id = id
        name = json["name"]?.string ?? ""
        guildID = json["guild_id"]?.string
        overwrites = (json["permission_overwrites"]?.array ?? []).compactMap(PermissionOverwrite.init)
    }
}

/// What a member may do, computed as Discord's permissions page prescribes ("Permission Overwrites"): the
/// owner and ADMINISTRATOR have everything; otherwise `@everyone`'s and the member's roles' bits, then in
/// a channel the `@everyone` overwrite, the member's roles' overwrites (denies before allows), and the
/// member's own overwrite. Without VIEW_CHANNEL nothing else in the channel counts.
public struct MemberPermissions: Sendable {
    public let guild: DiscordGuild
    public let memberID: String
    public let roleIDs: [String]

    public init(guild: DiscordGuild, memberID: String, roleIDs: [String]) {
        self.guild = guild
        self.memberID = memberID
        self.roleIDs = roleIDs
    }

    public var base: Permissions {
        if guild.ownerID == memberID { return .all }
        let granted = guild.roles(of: roleIDs).reduce(into: Permissions()) { $0.formUnion($1.permissions) }
        return granted.contains(.administrator) ? .all : granted
    }

    public func `in`(_ channel: DiscordChannel) -> Permissions {
        var permissions = base
        guard !permissions.contains(.administrator), guild.ownerID != memberID else { return .all }
        func apply(allow: Permissions, deny: Permissions) {
            permissions.subtract(deny)
            permissions.formUnion(allow)
        }
        if let everyone = channel.overwrites.first(where: { $0.target == .role && $0.id == guild.id }) {
            apply(allow: everyone.allow, deny: everyone.deny)
        }
        let roleOverwrites = channel.overwrites.filter { $0.target == .role && roleIDs.contains($0.id) }
        apply(
            allow: roleOverwrites.reduce(into: Permissions()) { $0.formUnion($1.allow) },
            deny: roleOverwrites.reduce(into: Permissions()) { $0.formUnion($1.deny) })
        if let member = channel.overwrites.first(where: { $0.target == .member && $0.id == memberID }) {
            apply(allow: member.allow, deny: member.deny)
        }
        return permissions.contains(.viewChannel) ? permissions : []
    }

    /// The member's highest role (not `@everyone` unless it has no other).
    public var topRole: GuildRole? { guild.roles(of: roleIDs).first }
}
