import JSONSupport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Changes to the sandbox guild and the dispatches they cause (docs: `events/gateway-events`; `events/gateway-events` "Request Guild Members").
extension GatewayState {
    /// Adds or replaces members. New ones: GUILD_MEMBER_ADD, and PRESENCE_UPDATE unless offline; replaced
    /// ones: GUILD_MEMBER_UPDATE and PRESENCE_UPDATE.
    mutating func upsertMembers(_ members: [GuildMember], now: ContinuousClock.Instant) {
        var events: [GatewayEvent] = []
        for member in members {
            let isNew = guild.upsert(member) == nil
            events.append(
                GatewayEvent(
                    isNew ? "GUILD_MEMBER_ADD" : "GUILD_MEMBER_UPDATE",
                    member.json(guildID: guild.id),
                    requires: .guildMembers
                )
            )
            if !isNew || member.presence.status != .offline { events.append(presenceEvent(for: member)) }
        }
        dispatch(events, now: now)
    }

    /// Removes a member and dispatches GUILD_MEMBER_REMOVE; `nil` for an unknown member.
    mutating func removeMember(id: String, now: ContinuousClock.Instant) -> GuildMember? {
        guard let removed = guild.remove(id: id) else { return nil }
        let data: JSON = ["guild_id": .string(guild.id), "user": removed.user.publicJSON]
        dispatch([GatewayEvent("GUILD_MEMBER_REMOVE", data, requires: .guildMembers)], now: now)
        return removed
    }

    /// Stores a member's presence and dispatches PRESENCE_UPDATE; `nil` for an unknown member.
    mutating func setPresence(_ presence: MemberPresence, of id: String, now: ContinuousClock.Instant) -> [Delivery]? {
        guard guild.setPresence(presence, of: id), let member = guild.member(id: id) else { return nil }
        return dispatch([presenceEvent(for: member)], now: now)
    }

    /// Dispatches a slice of a presence burst and stores each member's last presence in it.
    mutating func dispatch(_ slice: PresenceBurst.Slice, now: ContinuousClock.Instant) -> [Delivery] {
        for (id, presence) in slice.presences {
            _ = guild.setPresence(presence, of: id)
        }
        return dispatch(slice.events, now: now)
    }

    func presenceEvent(for member: GuildMember) -> GatewayEvent {
        .presenceUpdate(member.presence, userID: member.id, guildID: guild.id)
    }

    /// REQUEST_GUILD_MEMBERS: GUILD_MEMBERS_CHUNKs to the requesting session, or RATE_LIMITED for an
    /// "all members" request within the window of the previous one. Every request is logged.
    mutating func requestMembers(
        _ request: RequestGuildMembers,
        sessionID: String?,
        on link: GatewayLink,
        now: ContinuousClock.Instant,
        date: Date
    ) throws(GatewayCloseCode) {
        // Fields only: a copy of the session would make recording the answer copy its replay buffer.
        guard let sessionID, isLive(sessionID, on: link), let intents = sessions[sessionID]?.intents,
            let holdsGuild = sessions[sessionID]?.holdsGuild
        else { throw .notAuthenticated }
        var rateLimited = false
        defer {
            memberRequests.record(
                MemberRequestRecord(
                    guildID: request.guildID,
                    nonce: request.nonce,
                    query: request.query,
                    limit: request.limit,
                    presences: request.presences,
                    rateLimited: rateLimited,
                    time: date
                )
            )
        }
        // Unanswered, as on Discord: a guild the session does not have (or that is unavailable), and an "all
        // members" request without GUILD_MEMBERS (documented as required; clients that forget it observe
        // silence, not a close).
        guard request.guildID == guild.id, holdsGuild, !guildUnavailable,
            !request.isAllMembers || intents.contains(.guildMembers)
        else {
            return
        }
        if request.isAllMembers,
            let retryAfter = memberRequests.admitAllMembers(
                guildID: guild.id,
                window: .milliseconds(settings.memberRequestWindowMilliseconds),
                now: now
            )
        {
            rateLimited = true
            deliver([rateLimitedEvent(request, retryAfter: retryAfter)], to: sessionID)
            return
        }
        // Without GUILD_PRESENCES, `presences: true` counts as false.
        deliver(memberChunks(for: request, presences: request.presences && intents.contains(.guildPresences)), to: sessionID)
    }

    /// GUILD_MEMBERS_CHUNKs of at most `chunkSize` members; at least one, even when nothing matched.
    /// `presences` lists the returned members that are not offline.
    private func memberChunks(for request: RequestGuildMembers, presences: Bool) -> [GatewayEvent] {
        let (members, notFound) = guild.matching(request)
        let size = settings.chunkSize
        let count = max(1, (members.count + size - 1) / size)
        return (0..<count).map { index in
            let chunk = members[min(index * size, members.count)..<min((index + 1) * size, members.count)]
            var fields: [(String, JSON)] = [
                ("guild_id", .string(guild.id)),
                ("members", .array(chunk.map(\.json))),
                ("chunk_index", .int(index)),
                ("chunk_count", .int(count)),
            ]
            if index == 0, request.userIDs != nil {
                fields.append(("not_found", .array(notFound.map(JSON.string))))
            }
            if presences {
                let online = chunk.filter { $0.presence.status != .offline }
                fields.append(("presences", .array(online.map { $0.presence.json(userID: $0.id, guildID: nil) })))
            }
            if let nonce = request.nonce { fields.append(("nonce", .string(nonce))) }
            return GatewayEvent("GUILD_MEMBERS_CHUNK", .object(fields))
        }
    }

    private func rateLimitedEvent(_ request: RequestGuildMembers, retryAfter: Duration) -> GatewayEvent {
        var meta: [(String, JSON)] = [("guild_id", .string(request.guildID))]
        if let nonce = request.nonce { meta.append(("nonce", .string(nonce))) }
        // Rounded up to the millisecond, so waiting exactly `retry_after` is always enough.
        let milliseconds = (retryAfter + .nanoseconds(999_999)).wholeMilliseconds
        return GatewayEvent(
            "RATE_LIMITED",
            [
                "opcode": .int(GatewayOpcode.requestGuildMembers.rawValue),
                "retry_after": .seconds(milliseconds: milliseconds),
                "meta": .object(meta),
            ]
        )
    }
}

extension GatewayEvent {
    /// PRESENCE_UPDATE, for sessions with GUILD_PRESENCES.
    static func presenceUpdate(_ presence: MemberPresence, userID: String, guildID: String) -> GatewayEvent {
        GatewayEvent("PRESENCE_UPDATE", presence.json(userID: userID, guildID: guildID), requires: .guildPresences)
    }
}
