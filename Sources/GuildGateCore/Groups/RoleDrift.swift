import Store

/// What verify would change for one member: the mapped roles their groups call for and they lack, and the
/// mapped roles they hold that no group of theirs calls for. Roles GuildGate does not map never appear.
public struct RoleDrift: Sendable, Equatable {
    public let discordID: String
    public let userID: Int
    public let add: [String]
    public let remove: [String]

    /// The drift of every linked user present in the guild, members without drift left out.
    /// - Parameters:
    ///   - members: the guild's present members, with the roles they hold.
    ///   - linked: linked users with the roles of their groups.
    ///   - mappedRoles: every role some group maps.
    public static func compute(members: [GuildMemberRecord], linked: [LinkedMember], mappedRoles: Set<String>) -> [RoleDrift] {
        let held = Dictionary(members.map { ($0.discordID, $0.roleIDs) }, uniquingKeysWith: { first, _ in first })
        return linked.compactMap { user in
            guard let roles = held[user.discordID] else { return nil }
            let wanted = user.roleIDs.intersection(mappedRoles)
            let has = roles.intersection(mappedRoles)
            let drift = RoleDrift(
                discordID: user.discordID, userID: user.userID, add: wanted.subtracting(has).sorted(),
                remove: has.subtracting(wanted).sorted())
            return drift.add.isEmpty && drift.remove.isEmpty ? nil : drift
        }
    }
}
