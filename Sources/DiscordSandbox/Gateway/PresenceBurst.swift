/// `POST /_sandbox/gateway/presence-burst`: `count` PRESENCE_UPDATEs cycling through the members (the bot
/// excepted) and the statuses. Built in slices outside the state lock; each slice is then dispatched under
/// it, so the first frames are on their way while the rest is still being built.
struct PresenceBurst {
    static let sliceSize = 5000

    /// Consecutive events of the burst, with each member's last presence among them (stored when the slice
    /// is dispatched, so a member request answered mid-burst agrees with the events before it).
    struct Slice: Sendable {
        let events: [GatewayEvent]
        let presences: [String: MemberPresence]
    }

    private let count: Int
    private let statuses: [MemberPresence.Status]
    private let members: [GuildMember]
    private let guildID: String
    /// Each (member, status) update is built once, however often it recurs.
    private var built: [(event: GatewayEvent, presence: MemberPresence)?]
    private var nextIndex = 0

    init(count: Int, statuses: [MemberPresence.Status], members: [GuildMember], guildID: String) {
        self.count = count
        self.statuses = statuses
        self.members = members
        self.guildID = guildID
        built = Array(repeating: nil, count: members.count * statuses.count)
    }

    /// Member `j` of round `r` gets `statuses[(r + j) % statuses.count]`: every member changes status from
    /// one round to the next, and neighbours differ within a round. Activities stay as they were.
    mutating func nextSlice() -> Slice? {
        guard nextIndex < count else { return nil }
        let indices = nextIndex..<min(nextIndex + Self.sliceSize, count)
        nextIndex = indices.upperBound
        var events: [GatewayEvent] = []
        events.reserveCapacity(indices.count)
        var presences: [String: MemberPresence] = [:]
        for index in indices {
            let (round, position) = index.quotientAndRemainder(dividingBy: members.count)
            let update = update(member: position, status: (round + position) % statuses.count)
            events.append(update.event)
            presences[members[position].id] = update.presence
        }
        return Slice(events: events, presences: presences)
    }

    private mutating func update(member position: Int, status: Int) -> (event: GatewayEvent, presence: MemberPresence) {
        let slot = position * statuses.count + status
        if let update = built[slot] { return update }
        let member = members[position]
        let presence = MemberPresence(status: statuses[status], activities: member.presence.activities)
        let update = (GatewayEvent.presenceUpdate(presence, userID: member.id, guildID: guildID), presence)
        built[slot] = update
        return update
    }
}
