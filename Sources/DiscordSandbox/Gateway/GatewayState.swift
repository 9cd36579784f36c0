import JSONSupport
import NIOCore

/// The gateway side of the sandbox (docs: `events/gateway`): settings, the guild, sessions and the live connections
/// they run on. It is a part of `SandboxState`, so it only changes under that lock; dispatches get their
/// sequence numbers and are handed to connections under it too, so every connection sees them in order.
struct GatewayState: Sendable {
    /// Where a dispatch went: a session and the sequence number its last event got there.
    struct Delivery: Sendable {
        let sessionID: String
        let sequence: Int

        var json: JSON { ["session_id": .string(sessionID), "seq": .int(sequence)] }
    }

    var settings = GatewaySettings()
    var guild: SandboxGuild
    var memberRequests = MemberRequestLog()
    /// Changes to members' roles and nicknames, for tests.
    var memberChanges = MemberChangeLog()
    /// An outage of the guild (`PUT /_sandbox/guild/outage`): it is unavailable to every session.
    private(set) var guildUnavailable = false
    /// Op 1 requests sent (`POST /_sandbox/gateway/heartbeat-request`) and those answered by a heartbeat
    /// within `heartbeatAnswerWindow`.
    private(set) var heartbeatRequests = 0
    private(set) var heartbeatAnswers = 0
    /// Connections asked for a heartbeat and not yet answered, with when they were asked.
    private var pendingHeartbeatRequests: [Int: ContinuousClock.Instant] = [:]
    private(set) var sessions: [String: GatewaySession] = [:]
    /// Open connections, identified or not.
    private(set) var links: [Int: GatewayLink] = [:]
    private(set) var identifies = 0
    /// When the last session of each rate-limit bucket (`shard_id % max_concurrency`) started: one identify
    /// per bucket per identify window.
    private var lastIdentifyAt: [Int: ContinuousClock.Instant] = [:]
    /// Identifies answered with INVALID_SESSION for coming too soon after the previous one.
    private(set) var identifiesRefused = 0
    private(set) var resumes = 0
    private(set) var connectionsOpened: [GatewayLink.Endpoint: Int] = [:]
    private var lastLinkID = 0

    init(guild: SandboxGuild) {
        self.guild = guild
    }

    // MARK: - Connections

    mutating func connect(
        endpoint: GatewayLink.Endpoint,
        outputs: AsyncStream<GatewayLink.Output>.Continuation
    ) -> GatewayLink {
        lastLinkID += 1
        let link = GatewayLink(id: lastLinkID, outputs: outputs)
        links[link.id] = link
        connectionsOpened[endpoint, default: 0] += 1
        return link
    }

    /// The connection is gone. Its session stays resumable for the resume window, unless the client closed
    /// with 1000 or 1001, which ends it (docs: `events/gateway` "Sending Heartbeats").
    mutating func disconnect(
        _ link: GatewayLink,
        sessionID: String?,
        clientCloseCode: UInt16?,
        now: ContinuousClock.Instant
    ) {
        links[link.id] = nil
        pendingHeartbeatRequests[link.id] = nil
        guard let sessionID, isLive(sessionID, on: link) else { return }
        if clientCloseCode == 1000 || clientCloseCode == 1001 {
            sessions[sessionID] = nil
        } else {
            sessions[sessionID]?.linkID = nil
            sessions[sessionID]?.resumableUntil = now + .milliseconds(settings.resumeWindowMilliseconds)
        }
    }

    /// Whether the session exists and runs on this connection (it may have been invalidated, or resumed elsewhere).
    func isLive(_ sessionID: String?, on link: GatewayLink) -> Bool {
        guard let sessionID else { return false }
        return sessions[sessionID]?.linkID == link.id
    }

    // MARK: - Sessions

    /// IDENTIFY: starts a session on the connection with READY and, with the GUILDS intent, GUILD_CREATE.
    /// An identify within the identify window of the previous session start in its rate-limit bucket
    /// (`shard_id % max_concurrency`) gets INVALID_SESSION (`false`) and no session (developers/events/gateway,
    /// "Identifying": "If your app exceeds this limit, Discord will respond with a Invalid Session"); `nil`
    /// then. With `shards` > 1, an identify without `shard`, or with fewer shards, is closed with 4011
    /// (developers/events/gateway, "Sharding": sharding is required past the guilds one session may hold).
    mutating func identify(
        _ identify: Identify,
        on link: GatewayLink,
        currentSessionID: String?,
        configuration: SandboxConfiguration,
        now: ContinuousClock.Instant
    ) throws(GatewayCloseCode) -> String? {
        guard !isLive(currentSessionID, on: link) else { throw .alreadyAuthenticated }
        guard identify.token == configuration.botToken else { throw .authenticationFailed }
        let intents = try identify.validIntents()
        guard settings.enabledPrivilegedIntents.isSuperset(of: intents.intersection(.privileged)) else {
            throw .disallowedIntents
        }
        let shard = try identify.validShard()
        guard settings.shards == 1 || (shard?.count ?? 1) >= settings.shards else { throw .shardingRequired }
        let bucket = (shard?.id ?? 0) % settings.maxConcurrency
        if let last = lastIdentifyAt[bucket], now - last < .milliseconds(settings.identifyWindowMilliseconds) {
            identifiesRefused += 1
            link.send(GatewayFrame.invalidSession(resumable: false))
            return nil
        }
        lastIdentifyAt[bucket] = now
        var session = GatewaySession(
            serial: identifies + 1,
            intents: intents,
            largeThreshold: identify.largeThreshold,
            shard: shard,
            holdsGuild: shard?.holds(guildID: guild.id) ?? true,
            linkID: link.id
        )
        var frames = [session.record(readyEvent(for: session, configuration: configuration))]
        if session.holdsGuild, intents.contains(.guilds) {
            // During an outage the guild comes as an unavailable guild object (developers/events/gateway-events,
            // "Guild Create": "the guild object in scenarios 1 and 3 may be marked as unavailable").
            let data =
                guildUnavailable
                ? guild.unavailableJSON : guild.createEventData(intents: intents, largeThreshold: identify.largeThreshold)
            frames.append(session.record(GatewayEvent("GUILD_CREATE", data)))
        }
        sessions[session.id] = session
        identifies += 1
        link.send(frames)
        return session.id
    }

    /// RESUME: replays the dispatches after the client's sequence number, then RESUMED, and moves the session
    /// to this connection. Returns `nil` after answering INVALID SESSION (`false`) for a session that is
    /// unknown, expired, invalidated, or whose missed dispatches are no longer kept.
    mutating func resume(
        _ resume: Resume,
        on link: GatewayLink,
        currentSessionID: String?,
        botToken: String,
        now: ContinuousClock.Instant
    ) throws(GatewayCloseCode) -> String? {
        guard !isLive(currentSessionID, on: link) else { throw .alreadyAuthenticated }
        guard resume.token == botToken else { throw .authenticationFailed }
        pruneExpiredSessions(now: now)
        let id = resume.sessionID
        guard let sequence = sessions[id]?.sequence else {
            link.send(GatewayFrame.invalidSession(resumable: false))
            return nil
        }
        guard resume.sequence <= sequence else { throw .invalidSequence }
        guard var frames = sessions[id]?.replay(after: resume.sequence) else {
            sessions[id] = nil
            link.send(GatewayFrame.invalidSession(resumable: false))
            return nil
        }
        // A connection the session was still live on is abandoned by the client: reap it.
        if let previous = sessions[id]?.linkID { links[previous]?.drop() }
        sessions[id]?.linkID = link.id
        sessions[id]?.resumableUntil = nil
        sessions[id]?.resumes += 1
        if let resumed = sessions[id]?.record(GatewayEvent("RESUMED", [:], isAboutGuild: false)) {
            frames.append(resumed)
        }
        resumes += 1
        link.send(frames)
        return id
    }

    /// Op 9 to every live session; when not resumable, every session (live or waiting) ends.
    mutating func invalidateSessions(resumable: Bool) -> Int {
        let count = sessions.count
        for session in sessions.values {
            if let linkID = session.linkID { links[linkID]?.send(GatewayFrame.invalidSession(resumable: resumable)) }
        }
        if !resumable { sessions = [:] }
        return count
    }

    /// Applies new settings. Sessions using a privileged intent that is now disabled are invalidated and
    /// their connections closed with 4003, as Discord does when an intent is switched off in the portal.
    mutating func updateSettings(_ update: GatewaySettingsUpdate) -> GatewaySettings {
        settings.apply(update)
        let enabled = settings.enabledPrivilegedIntents
        let revoked = sessions.values.filter { !enabled.isSuperset(of: $0.intents.intersection(.privileged)) }.map(\.id)
        for id in revoked {
            if let linkID = sessions[id]?.linkID { links[linkID]?.close(.notAuthenticated) }
            sessions[id] = nil
        }
        return settings
    }

    mutating func pruneExpiredSessions(now: ContinuousClock.Instant) {
        let expired = sessions.values.filter { $0.resumableUntil.map { $0 <= now } ?? false }.map(\.id)
        for id in expired { sessions[id] = nil }
    }

    // MARK: - Dispatch

    /// Sends the events to every session that may receive them, live or waiting to be resumed (then they
    /// are only kept for replay). Each connection's writer gets its share in one hand-over. Events about the
    /// guild are not sent while it is unavailable.
    @discardableResult
    mutating func dispatch(_ events: [GatewayEvent], now: ContinuousClock.Instant) -> [Delivery] {
        pruneExpiredSessions(now: now)
        let events = guildUnavailable ? events.filter { !$0.isAboutGuild } : events
        var deliveries: [Delivery] = []
        for index in sessions.values.indices {
            let frames = sessions.values[index].recordAccepted(events)
            guard !frames.isEmpty else { continue }
            let session = sessions.values[index]
            if let linkID = session.linkID { links[linkID]?.send(frames) }
            deliveries.append(Delivery(sessionID: session.id, sequence: session.sequence))
        }
        return deliveries
    }

    /// Sends the events to one session only, whatever its intents (answers to its own requests).
    mutating func deliver(_ events: [GatewayEvent], to sessionID: String) {
        guard let frames = sessions[sessionID]?.record(events) else { return }
        if let linkID = sessions[sessionID]?.linkID { links[linkID]?.send(frames) }
    }

    // MARK: - Outages and heartbeat requests

    /// Starts or ends an outage of the guild. Starting: GUILD_DELETE with `unavailable: true` to the
    /// sessions that have the guild ("Guild Delete": "Sent when a guild becomes ... unavailable due to an
    /// outage"). Ending: each of them gets the full GUILD_CREATE, cut for its own intents ("Guild Create",
    /// scenario 2). Returns the sessions told.
    mutating func setGuildUnavailable(_ unavailable: Bool, now: ContinuousClock.Instant) -> Int {
        guard unavailable != guildUnavailable else { return 0 }
        pruneExpiredSessions(now: now)
        guildUnavailable = unavailable
        // Keys and fields only: holding a copy of a session while recording into it would copy its replay buffer.
        let told = sessions.compactMap { $0.value.holdsGuild && $0.value.intents.contains(.guilds) ? $0.key : nil }
        for id in told {
            guard let intents = sessions[id]?.intents, let largeThreshold = sessions[id]?.largeThreshold else { continue }
            let event =
                unavailable
                ? GatewayEvent("GUILD_DELETE", guild.unavailableJSON)
                : GatewayEvent("GUILD_CREATE", guild.createEventData(intents: intents, largeThreshold: largeThreshold))
            deliver([event], to: id)
        }
        return told.count
    }

    /// Op 1 to every identified connection: Discord asking for a heartbeat now (developers/events/gateway,
    /// "Sending Heartbeats"). Returns the connections asked.
    mutating func requestHeartbeats(now: ContinuousClock.Instant) -> Int {
        let live = sessions.values.compactMap { $0.linkID.flatMap { links[$0] } }
        for link in live {
            link.send(GatewayFrame.heartbeatRequest)
            pendingHeartbeatRequests[link.id] = now
            heartbeatRequests += 1
        }
        return live.count
    }

    /// A heartbeat arrived on the connection: it answers a request made within the window.
    mutating func heartbeatReceived(on link: GatewayLink, now: ContinuousClock.Instant) {
        guard let requestedAt = pendingHeartbeatRequests.removeValue(forKey: link.id) else { return }
        if now - requestedAt <= Self.heartbeatAnswerWindow { heartbeatAnswers += 1 }
    }

    /// "Immediately": a heartbeat later than this after op 1 is not counted as its answer.
    static let heartbeatAnswerWindow = Duration.seconds(1)

    private func readyEvent(for session: GatewaySession, configuration: SandboxConfiguration) -> GatewayEvent {
        let guilds: [JSON] = session.holdsGuild ? [["id": .string(guild.id), "unavailable": true]] : []
        var fields: [(String, JSON)] = [
            ("v", 10),
            ("user", configuration.botUser.json(includeEmail: true)),
            ("guilds", .array(guilds)),
            ("session_id", .string(session.id)),
            ("resume_gateway_url", .string(configuration.resumeGatewayURL)),
        ]
        if let shard = session.shard { fields.append(("shard", shard.json)) }
        let flags = settings.enabledPrivilegedIntents.applicationFlags
        fields.append(("application", ["id": .string(configuration.clientID), "flags": .int(flags)]))
        return GatewayEvent("READY", .object(fields), isAboutGuild: false)
    }
}
