import DiscordGateway
import Foundation
import JSONSupport
import Logging

/// What one reconcile did, reported as the job's result.
struct ReconcileReport: Sendable {
    let guildID: String
    let members: Int
    let markedOffline: Int
    let requestedAt: Date
    /// True when this reconcile was answered by a request already made (in flight or under 30 s old).
    var coalesced = false

    var json: JSON {
        [
            "guild_id": .string(guildID), "members": .int(members), "marked_offline": .int(markedOffline),
            "requested_at": .string(ISO8601Timestamp.format(requestedAt)), "coalesced": .bool(coalesced),
        ]
    }
}

enum ReconcileError: Error, CustomStringConvertible {
    case notInGuild(String)
    case guildUnavailable(String)
    case rateLimited(retryAfter: Double)
    case timedOut(String)

    var description: String {
        switch self {
        case .notInGuild(let guildID):
            return "the bot is not in guild \(guildID): invite it (GET /api/discord/invite) or fix DISCORD_GUILD_ID"
        case .guildUnavailable(let guildID):
            return
                "Discord reports guild \(guildID) unavailable (an outage): its member list cannot be fetched until it is back; members keep their last presence"
        case .rateLimited(let retryAfter):
            return "Discord rate-limited the member request; it can be retried in \(retryAfter) s"
        case .timedOut(let guildID):
            return "no complete member list arrived for guild \(guildID) within 30 s"
        }
    }
}

/// The presence reconcile: Request Guild Members with presences (op 8), apply the chunks, then set
/// offline whoever the full list left out. Discord allows one such request per guild per 30 s, so a
/// reconcile asked for while one is in flight joins it, and one asked for soon after reuses its result.
actor MemberReconciler {
    private struct Request {
        let guildID: String
        let startedAt: Date
        var members = 0
        var chunksSeen = 0
        var waiters: [CheckedContinuation<ReconcileReport, any Error>] = []
    }

    private let gateway: GatewayClient
    private let ingest: PresenceIngest
    private let minimumInterval: Duration
    private let logger: Logger
    /// The guilds of the current session; nil until the first READY.
    private var guilds: Set<String>?
    /// Guilds Discord reported unavailable (GUILD_CREATE or GUILD_DELETE with `unavailable: true`), until
    /// their full GUILD_CREATE arrives. Their member requests would go unanswered.
    private var unavailable: Set<String> = []
    private var sessionWaiters: [CheckedContinuation<Void, Never>] = []
    private var inFlight: [String: Request] = [:]
    private var last: [String: (at: ContinuousClock.Instant, report: ReconcileReport)] = [:]
    private var nonceCounter = 0
    private var abandoned = false

    init(gateway: GatewayClient, ingest: PresenceIngest, minimumInterval: Duration, logger: Logger) {
        self.gateway = gateway
        self.ingest = ingest
        self.minimumInterval = minimumInterval
        self.logger = logger
    }

    func sessionStarted(guilds: [String]) {
        self.guilds = Set(guilds)
        unavailable = []
        releaseSessionWaiters()
    }

    /// An outage: requests in flight for the guild fail now instead of timing out, and new ones are refused.
    func guildUnavailable(_ guildID: String) {
        unavailable.insert(guildID)
        for (nonce, request) in inFlight where request.guildID == guildID {
            fail(nonce: nonce, with: ReconcileError.guildUnavailable(guildID))
        }
    }

    /// The guild's full GUILD_CREATE arrived.
    func guildAvailable(_ guildID: String) {
        unavailable.remove(guildID)
        guilds?.insert(guildID)
    }

    /// GUILD_DELETE without `unavailable`: the bot left or was removed from the guild. Requests in flight for it
    /// fail now: no chunk will answer them, and the job runner would wait out their 30 s.
    func guildLeft(_ guildID: String) {
        guilds?.remove(guildID)
        unavailable.remove(guildID)
        for (nonce, request) in inFlight where request.guildID == guildID {
            fail(nonce: nonce, with: ReconcileError.notInGuild(guildID))
        }
    }

    func reconcile(guildID: String) async throws -> ReconcileReport {
        if guilds == nil, !abandoned { await waitForSession(timeout: .seconds(30)) }
        guard !abandoned else { throw Self.stopping }
        guard let guilds else { throw GatewayError.notConnected }
        guard guilds.contains(guildID) else { throw ReconcileError.notInGuild(guildID) }
        guard !unavailable.contains(guildID) else { throw ReconcileError.guildUnavailable(guildID) }
        if let nonce = inFlight.first(where: { $0.value.guildID == guildID })?.key {
            var report = try await withCheckedThrowingContinuation { inFlight[nonce]?.waiters.append($0) }
            report.coalesced = true
            return report
        }
        if let previous = last[guildID], ContinuousClock.now - previous.at < minimumInterval {
            var report = previous.report
            report.coalesced = true
            return report
        }
        nonceCounter += 1
        let nonce = "reconcile-\(nonceCounter)"
        last[guildID] = (.now, ReconcileReport(guildID: guildID, members: 0, markedOffline: 0, requestedAt: Date()))
        inFlight[nonce] = Request(guildID: guildID, startedAt: Date())
        logger.info("requesting the guild's members", metadata: ["guild_id": "\(guildID)", "nonce": "\(nonce)"])
        do {
            try await gateway.send(.requestAllMembers(guildID: guildID, nonce: nonce))
        } catch {
            inFlight[nonce] = nil
            last[guildID] = nil
            throw error
        }
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(30))
            await self?.fail(nonce: nonce, with: ReconcileError.timedOut(guildID))
        }
        return try await withCheckedThrowingContinuation { inFlight[nonce]?.waiters.append($0) }
    }

    /// The bot is stopping: reconciles waiting for a session or for chunks end now instead of holding up
    /// the job runner, and their jobs go back to the queue.
    func abandon() {
        abandoned = true
        releaseSessionWaiters()
        for nonce in inFlight.keys { fail(nonce: nonce, with: Self.stopping) }
    }

    private static let stopping = JobInterrupted(reason: "the bot is stopping")

    /// Jobs claimed while the bot is still connecting wait for its first session.
    private func waitForSession(timeout: Duration) async {
        Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.releaseSessionWaiters()
        }
        await withCheckedContinuation { sessionWaiters.append($0) }
    }

    private func releaseSessionWaiters() {
        sessionWaiters.forEach { $0.resume() }
        sessionWaiters.removeAll()
    }

    /// A GUILD_MEMBERS_CHUNK arrived (its records are already submitted to the ingest).
    func chunk(nonce: String?, index: Int, count: Int, members: Int) async {
        guard let nonce, var request = inFlight[nonce] else { return }
        request.members += members
        request.chunksSeen += 1
        inFlight[nonce] = request
        guard request.chunksSeen >= count else { return }
        inFlight[nonce] = nil
        do {
            let markedOffline = try await ingest.markOffline(guildID: request.guildID, notSeenSince: request.startedAt)
            let report = ReconcileReport(
                guildID: request.guildID, members: request.members, markedOffline: markedOffline, requestedAt: request.startedAt)
            last[request.guildID] = (last[request.guildID]?.at ?? .now, report)
            logger.info(
                "guild members reconciled",
                metadata: ["guild_id": "\(request.guildID)", "members": "\(request.members)", "marked_offline": "\(markedOffline)"])
            request.waiters.forEach { $0.resume(returning: report) }
        } catch {
            request.waiters.forEach { $0.resume(throwing: error) }
        }
    }

    /// Discord refused the request (dispatch RATE_LIMITED for opcode 8).
    func rateLimited(nonce: String?, retryAfter: Double) {
        guard let nonce, let request = inFlight[nonce] else { return }
        logger.notice("member request rate-limited", metadata: ["guild_id": "\(request.guildID)", "retry_after": "\(retryAfter)"])
        fail(nonce: nonce, with: ReconcileError.rateLimited(retryAfter: retryAfter))
    }

    /// A request that failed has no list to offer: the next reconcile asks again.
    private func fail(nonce: String, with error: any Error) {
        guard let request = inFlight.removeValue(forKey: nonce) else { return }
        last[request.guildID] = nil
        request.waiters.forEach { $0.resume(throwing: error) }
    }
}
