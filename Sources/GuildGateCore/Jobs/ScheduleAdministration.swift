import JSONSupport
import Store

/// Why the admin panel refused to change a schedule; nothing was changed.
public enum ScheduleAdministrationError: Error, Equatable {
    case notFound(name: String)
    /// The interval is outside `ScheduleAdministration.intervalRange`.
    case intervalOutOfRange(seconds: Int)
    /// The schedule names a job kind this version cannot run.
    case unknownJobKind(String)
}

/// The admin panel's side of the periodic schedule (seed 004's default schedule: verify groups every
/// 5 minutes, nicknames and remote sync weekly, plus presence reconcile and file cleanup): each schedule's
/// interval, whether it is enabled, its last and next run and how its latest job went; switching it on or
/// off, changing its interval, and "run now". Each change is audited in the transaction that makes it.
public struct ScheduleAdministration {
    /// From a minute (Discord's limits make anything shorter a storm) to 30 days.
    public static let intervalRange = 60...(30 * 24 * 3600)

    let db: PostgresConnection
    let actor: AuditActor
    /// The guild a presence reconcile run by hand asks for.
    let guildID: String?

    public init(db: PostgresConnection, actor: AuditActor, guildID: String?) {
        self.db = db
        self.actor = actor
        self.guildID = guildID
    }

    public func schedules() throws -> [Schedule] {
        try ScheduleStore(db).all()
    }

    public func schedule(name: String) throws -> Schedule {
        guard let schedule = try ScheduleStore(db).schedule(name: name) else { throw ScheduleAdministrationError.notFound(name: name) }
        return schedule
    }

    /// Switches the schedule on or off and changes its interval (nil: unchanged). A new interval counts from
    /// the last run.
    public func update(name: String, enabled: Bool?, intervalSeconds: Int?) throws -> Schedule {
        if let intervalSeconds, !Self.intervalRange.contains(intervalSeconds) {
            throw ScheduleAdministrationError.intervalOutOfRange(seconds: intervalSeconds)
        }
        return try db.transaction { db in
            let before = try ScheduleStore(db).schedule(name: name)
            guard let before, let after = try ScheduleStore(db).update(name: name, enabled: enabled, intervalSeconds: intervalSeconds)
            else { throw ScheduleAdministrationError.notFound(name: name) }
            try AuditLogStore(db).record(
                actor: actor, action: "schedule.update", target: AuditTarget.schedule(name),
                detail: [
                    "enabled": .bool(after.enabled), "interval_seconds": .int(after.intervalSeconds),
                    "before": ["enabled": .bool(before.enabled), "interval_seconds": .int(before.intervalSeconds)],
                ])
            return after
        }
    }

    /// Queues the schedule's job now, whether the schedule is enabled or not; its own timing is unchanged.
    public func runNow(name: String) throws -> Job {
        let schedule = try schedule(name: name)
        guard let kind = BackgroundJob.Kind(rawValue: schedule.name),
            let run = BackgroundJob(fullRunOf: kind, requestedBy: actor.description, guildID: guildID)
        else {
            throw ScheduleAdministrationError.unknownJobKind(schedule.name)
        }
        return try db.transaction { db in
            let job = try JobStore(db).enqueue(run)
            try AuditLogStore(db).record(
                actor: actor, action: "schedule.run", target: AuditTarget.schedule(name), detail: ["job_id": .int(job.id)])
            return job
        }
    }
}
