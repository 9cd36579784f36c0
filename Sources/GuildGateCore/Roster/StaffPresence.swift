import Foundation
import Store

/// One active staff member's presence: now, over a range of their history (`PresenceTimeline`), and
/// whether their public card is on, which they may change themselves (an admin does it through
/// `StaffAdministration`). Either way the change is audited.
public struct StaffPresence {
    /// What a staff member's page and `GET /api/staff/{id}/presence` show.
    public struct Report: Sendable, Equatable {
        public let member: StaffMember
        /// Their presence now, with when they were last not offline.
        public let now: PresenceCard
        public let timeline: PresenceTimeline
    }

    let db: PostgresConnection
    let guildID: String?

    public init(db: PostgresConnection, guildID: String?) {
        self.db = db
        self.guildID = guildID
    }

    public func report(staffID: Int, range: PresenceRange, now: Date) throws -> Report {
        let member = try activeMember(staffID)
        guard let current = try PresenceCardStore(db).card(discordID: member.discordID, guildID: guildID, onlyPublic: false) else {
            throw StaffPresenceError.notFound(id: staffID)
        }
        let history = try PresenceHistoryStore(db).intervals(discordID: member.discordID, guildID: guildID, from: range.from, to: range.to)
        return Report(member: member, now: current, timeline: PresenceTimeline(history: history, from: range.from, to: range.to, now: now))
    }

    /// Whether the user `userID` is the staff member `staffID`: the Discord account they linked is theirs.
    public func isOwn(staffID: Int, userID: Int) throws -> Bool {
        let member = try activeMember(staffID)
        return try UserStore(db).user(id: userID)?.discordID == member.discordID
    }

    /// The staff member themselves (the user `userID`) turns their public card on or off.
    public func setOwnCard(staffID: Int, public isPublic: Bool, userID: Int) throws -> StaffMember {
        guard try isOwn(staffID: staffID, userID: userID) else { throw StaffPresenceError.notYours }
        return try StaffAdministration(db: db, actor: .user(userID)).update(id: staffID, .init(presenceCardPublic: isPublic))
    }

    private func activeMember(_ id: Int) throws -> StaffMember {
        guard let member = try StaffStore(db).member(id: id), member.active else { throw StaffPresenceError.notFound(id: id) }
        return member
    }
}
