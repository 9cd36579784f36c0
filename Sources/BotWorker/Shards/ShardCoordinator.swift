import DiscordGateway
import Logging
import Store

/// One shard's ties to the other bots, through the keeper's connection: its identify bucket, shared with
/// the shards other processes hold, and its session, saved for whoever holds the shard next.
struct ShardCoordinator: GatewayCoordinator {
    let shard: GatewayShard
    let keeper: ShardKeeper
    let worker: String
    let logger: Logger

    /// With one shard, only the holder of its lock identifies, and Discord's INVALID_SESSION paces the rest.
    func identifyDelay() async -> Duration {
        guard keeper.plan.shards > 1 else { return .zero }
        let bucket = shard.rateLimitKey(maxConcurrency: keeper.plan.maxConcurrency)
        do {
            return try await keeper.call { store in try store.claimIdentify(bucket: bucket, window: GatewayPlan.identifyWindow) } ?? .zero
        } catch {
            logger.warning("cannot claim the identify slot; next try in 1 s", metadata: ["bucket": "\(bucket)", "error": "\(error)"])
            return .seconds(1)
        }
    }

    func sessionChanged(_ point: GatewayResumePoint?) {
        let saved = point.map {
            SavedGatewaySession(
                sessionID: $0.ready.sessionID, resumeURL: $0.ready.resumeURL, sequence: $0.sequence, botUserID: $0.ready.botUserID,
                applicationID: $0.ready.applicationID, guildIDs: $0.ready.guildIDs)
        }
        keeper.enqueue(
            { [shard, worker] store in try store.save(shard: shard.id, of: shard.count, session: saved, heldBy: worker) },
            failed: { [logger] error in
                logger.warning("cannot save the gateway session for the next holder of the shard", metadata: ["error": "\(error)"])
            })
    }

    /// The session saved by the shard's last holder.
    func savedSession() async -> GatewayResumePoint? {
        let saved = try? await keeper.call { [shard] store in try store.session(shard: shard.id, of: shard.count) }
        return saved.map {
            GatewayResumePoint(
                ready: GatewayReady(
                    sessionID: $0.sessionID, resumeURL: $0.resumeURL, botUserID: $0.botUserID, applicationID: $0.applicationID,
                    guildIDs: $0.guildIDs),
                sequence: $0.sequence)
        }
    }
}
