import DiscordKit
import JSONSupport
import Logging
import Store

/// Saves the Discord client's settings from the admin panel: checks the values on their own, then asks
/// Discord whether it accepts the changed ones (the doctor's checks on the candidate settings), and only
/// then stores them, with an audit entry, in one transaction. A refused change changes nothing. The
/// table's trigger NOTIFYs the other processes, which reload.
public struct ClientSettingsUpdate {
    let settings: LiveConfig
    let db: PostgresConnection
    let logger: Logger
    /// A Discord client with the credentials of the settings it is given.
    let discord: (AppConfig) -> DiscordClient

    public init(settings: LiveConfig, db: PostgresConnection, logger: Logger, discord: @escaping (AppConfig) -> DiscordClient) {
        self.settings = settings
        self.db = db
        self.logger = logger
        self.discord = discord
    }

    /// What a save changed: the names of the fields, never a value.
    public struct Saved: Sendable, Equatable {
        public let assigned: [DiscordClientSettings.Field]
        public let cleared: [DiscordClientSettings.Field]

        public var changedNothing: Bool { assigned.isEmpty && cleared.isEmpty }
    }

    /// Applies `change` for `actor`; throws `ClientSettingsRefusal` (nothing saved) when a value is wrong or
    /// Discord refuses it.
    @discardableResult
    public func apply(_ change: ClientSettingsChange, by actor: AuditActor) throws -> Saved {
        let readVersion = try ClientSettingsStore(db).load()
        try settings.reload(from: db)
        let plan = ClientSettingsPlan(change, base: settings.base, current: settings.saved)
        guard plan.problems.isEmpty else { throw ClientSettingsRefusal.invalid(plan.problems) }
        guard !plan.changesNothing else { return Saved(assigned: [], cleared: []) }
        let check = ClientSettingsCheck(doctor: Doctor(config: plan.config, discord: discord(plan.config), db: db, names: .form))
        let refused = check.problems(changed: plan.checked)
        guard refused.isEmpty else { throw ClientSettingsRefusal.refusedByDiscord(refused) }
        do {
            try db.transaction { db in
                let locked = try ClientSettingsStore(db).load(lockingRow: true)
                guard locked?.updatedAt == readVersion?.updatedAt else {
                    throw ClientSettingsRefusal.changedMeanwhile(by: locked?.updatedBy)
                }
                try AuditLogStore(db).record(
                    actor: actor, action: "client.save", target: AuditTarget.client,
                    detail: [
                        "set": .array(plan.assigned.map { .string($0.rawValue) }),
                        "cleared": .array(plan.cleared.map { .string($0.rawValue) }),
                    ])
                try settings.save(plan.saved, by: actor.description, to: db)
            }
        } catch {
            // The settings in memory may have been reloaded inside the transaction that failed.
            _ = try? settings.reload(from: db)
            throw error
        }
        logger.info(
            "Discord client settings saved",
            metadata: [
                "by": "\(LogText.quoted(actor.description))", "set": "\(plan.assigned.map(\.rawValue).joined(separator: ","))",
                "cleared": "\(plan.cleared.map(\.rawValue).joined(separator: ","))",
            ])
        return Saved(assigned: plan.assigned, cleared: plan.cleared)
    }
}
