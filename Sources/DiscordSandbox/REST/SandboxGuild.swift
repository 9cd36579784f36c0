import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one guild the bot is in: its roles, and its members in join order, the bot first and always present
/// with its managed role. The owner is not the bot, so the bot's rights come from its roles, as on a real server.
struct SandboxGuild: Sendable {
    static let name = "Sandbox Guild"
    /// A user who owns the guild and is nobody the tests log in as; a member only once a test adds them.
    static let ownerID = "300000000000000002"
    /// The role Discord creates for a bot when it is invited ("managed", tagged with the bot's id).
    static let botRoleID = "300000000000000004"
    /// What GuildGate's invite link asks for (VIEW_CHANNEL, SEND_MESSAGES, ATTACH_FILES, READ_MESSAGE_HISTORY,
    /// MANAGE_ROLES, MANAGE_NICKNAMES).
    static let invitePermissions: UInt64 = 402_754_560
    /// Ids of generated members are this plus a counter (`member1` is 400000000000000001).
    static let generatedIDBase: UInt64 = 400_000_000_000_000_000

    let id: String
    let botID: String
    /// When the bot joined: the guild's `joined_at`.
    let joinedAt: String
    let textChannelIDs: [String]
    var roles: GuildRoles
    private(set) var members: [GuildMember]
    private var indexByID: [String: Int]
    private var generatedCount = 0

    init(id: String, bot: SandboxUser, textChannelIDs: [String], now: Date) {
        self.id = id
        botID = bot.id
        self.textChannelIDs = textChannelIDs
        roles = GuildRoles(
            everyone: SandboxRole(id: id, name: "@everyone", position: 0, permissions: 0),
            ranked: [
                SandboxRole(
                    id: Self.botRoleID, name: bot.username, position: 1, permissions: Self.invitePermissions, manager: .bot(id: bot.id))
            ]
        )
        var botMember = GuildMember(user: bot, presence: MemberPresence(status: .online), joinedAt: now)
        botMember.roles = [Self.botRoleID]
        joinedAt = botMember.joinedAt
        members = [botMember]
        indexByID = [bot.id: 0]
    }

    func member(id: String) -> GuildMember? {
        indexByID[id].map { members[$0] }
    }

    /// Adds the member, or replaces the one with its id; returns the member it replaced.
    @discardableResult
    mutating func upsert(_ member: GuildMember) -> GuildMember? {
        if let index = indexByID[member.id] {
            defer { members[index] = member }
            return members[index]
        }
        indexByID[member.id] = members.count
        members.append(member)
        return nil
    }

    /// Changes a member in place; `nil` for an unknown member.
    mutating func updateMember(id: String, _ change: (inout GuildMember) -> Void) -> GuildMember? {
        guard let index = indexByID[id] else { return nil }
        change(&members[index])
        return members[index]
    }

    /// Deletes a role and takes it from every member who had it (docs: `resources/guild` "Delete Guild Role").
    mutating func removeRole(id: String) -> SandboxRole? {
        guard let removed = roles.remove(id: id) else { return nil }
        for index in members.indices { members[index].roles.removeAll { $0 == id } }
        return removed
    }

    /// Members ordered by user id, those after `after`: a page of `GET /guilds/{guild.id}/members`.
    func membersByID(after: UInt64, limit: Int) -> [GuildMember] {
        Array(
            members.lazy.compactMap { member in Snowflake.value(member.id).map { ($0, member) } }
                .filter { $0.0 > after }.sorted { $0.0 < $1.0 }.prefix(limit).map(\.1)
        )
    }

    mutating func remove(id: String) -> GuildMember? {
        guard let index = indexByID[id] else { return nil }
        let removed = members.remove(at: index)
        indexByID = Dictionary(uniqueKeysWithValues: members.enumerated().map { ($1.id, $0) })
        return removed
    }

    /// Returns `false` for an unknown member.
    mutating func setPresence(_ presence: MemberPresence, of id: String) -> Bool {
        guard let index = indexByID[id] else { return false }
        members[index].presence = presence
        return true
    }

    /// Makes (without adding them) `count` members `member<k>` with ids `generatedIDBase + k`, numbering on
    /// from earlier ones, each with `roles`. `onlineFraction` of them, spread evenly, are online; the rest offline.
    mutating func makeGeneratedMembers(count: Int, onlineFraction: Double, roles: [String], now: Date) -> [GuildMember] {
        let generated = (1...count).map { offset -> GuildMember in
            let k = generatedCount + offset
            let isOnline = (Double(k) * onlineFraction).rounded(.down) > (Double(k - 1) * onlineFraction).rounded(.down)
            var member = GuildMember(
                user: SandboxUser(id: String(Self.generatedIDBase + UInt64(k)), username: "member\(k)", globalName: nil),
                presence: MemberPresence(status: isOnline ? .online : .offline),
                joinedAt: now
            )
            member.roles = roles
            return member
        }
        generatedCount += count
        return generated
    }

    /// The guild members a member request asks for, and the requested ids that are not members.
    func matching(_ request: RequestGuildMembers) -> (members: [GuildMember], notFound: [String]) {
        if let userIDs = request.userIDs {
            let wanted = userIDs.prefix(RequestGuildMembers.maxMatches)
            return (wanted.compactMap(member(id:)), wanted.filter { indexByID[$0] == nil })
        }
        let prefix = (request.query ?? "").lowercased()
        let matches = members.lazy.filter { $0.user.username.lowercased().hasPrefix(prefix) }
        if request.isAllMembers { return (Array(matches), []) }
        let limit = min(request.limit == 0 ? RequestGuildMembers.maxMatches : request.limit, RequestGuildMembers.maxMatches)
        return (Array(matches.prefix(limit)), [])
    }

    /// GUILD_CREATE's `d` for a session (docs: `events/gateway-events`). Without GUILD_PRESENCES, `members` is only the bot
    /// and `presences` is empty; over `largeThreshold` members, offline members are left out.
    /// The unavailable guild object (developers/resources/guild, "Unavailable Guild Object").
    var unavailableJSON: JSON { ["id": .string(id), "unavailable": true] }

    func createEventData(intents: GatewayIntents, largeThreshold: Int) -> JSON {
        let isLarge = members.count > largeThreshold
        let listed: [GuildMember]
        if !intents.contains(.guildPresences) {
            listed = members.filter { $0.id == botID }
        } else if isLarge {
            listed = members.filter { $0.presence.status != .offline }
        } else {
            listed = members
        }
        let presences =
            intents.contains(.guildPresences)
            ? listed.filter { $0.presence.status != .offline }.map { $0.presence.json(userID: $0.id, guildID: nil) } : []
        return [
            "id": .string(id),
            "name": .string(Self.name),
            "icon": .null,
            "description": .null,
            "owner_id": .string(Self.ownerID),
            "roles": roles.json,
            "emojis": [],
            "features": [],
            "preferred_locale": "en-US",
            "joined_at": .string(joinedAt),
            "large": .bool(isLarge),
            "unavailable": false,
            "member_count": .int(members.count),
            "voice_states": [],
            "members": .array(listed.map(\.json)),
            "channels": .array(
                textChannelIDs.enumerated().map { position, channelID in
                    SandboxChannel(id: channelID, kind: .guildText(position: position)).json(guildID: nil, lastMessageID: nil)
                }
            ),
            "threads": [],
            "presences": .array(presences),
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        ]
    }
}
