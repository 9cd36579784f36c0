import Foundation
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// What the bot's batched writes leave in `presence_history` and `presences.last_seen_at` (the triggers of
/// migration 9), on the in-process tests' own database. Each test has a guild and members of its own.
@Suite struct PresenceHistoryRecording {
    let db: PostgresConnection
    let guild = "9" + String(UInt64.random(in: 100_000_000_000_000_000...899_999_999_999_999_999))
    let ann = String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
    let stranger = String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
    let start = Date(timeIntervalSince1970: 1_796_083_200)

    init() async throws {
        db = try await TestApplication().database()
        try db.query("INSERT INTO staff (name, rank, discord_id) VALUES ('Ann', 'Lead', $1)", [ann])
    }

    func record(_ status: String, activity: String? = nil, custom: String? = nil, at minutes: Double, who: String? = nil) -> PresenceRecord
    {
        PresenceRecord(
            guildID: guild, discordID: who ?? ann, status: status, customStatus: custom, activity: activity, clientStatus: [:],
            seenAt: start.addingTimeInterval(minutes * 60))
    }

    func history(_ who: String? = nil) throws -> [PresenceInterval] {
        try PresenceHistoryStore(db).intervals(
            discordID: who ?? ann, guildID: guild, from: start.addingTimeInterval(-86_400), to: start.addingTimeInterval(86_400))
    }

    func lastSeen() throws -> Date? {
        try db.query("SELECT last_seen_at FROM presences WHERE guild_id = $1 AND discord_id = $2", [guild, ann]).first?.date("last_seen_at")
    }

    @Test func eachChangeClosesTheCurrentIntervalAndOpensAnotherRepeatsChangeNothing() throws {
        let store = PresenceStore(db)
        try store.upsert([record("offline", at: 0)])
        #expect(try lastSeen() == nil, "never seen online")
        try store.upsert([record("online", at: 10)])
        try store.upsert([record("online", at: 12)])
        #expect(try lastSeen() == start.addingTimeInterval(720), "while online: the latest update")
        try store.upsert([record("online", activity: "Playing Factorio", at: 20)])
        try store.upsert([record("idle", activity: "Playing Factorio", at: 30)])
        try store.upsert([record("idle", activity: "Playing Factorio", custom: "brb", at: 35)])
        try store.upsert([record("online", at: 25)])
        #expect(try history().count == 5, "an older record changes nothing")
        try store.upsert([record("offline", at: 40)])
        try store.upsert([record("offline", at: 50)])
        #expect(try lastSeen() == start.addingTimeInterval(2_400), "the moment they went offline")

        let intervals = try history()
        #expect(intervals.map(\.status) == ["offline", "online", "online", "idle", "idle", "offline"])
        #expect(intervals.map { $0.start.timeIntervalSince(start) / 60 } == [0, 10, 20, 30, 35, 40])
        #expect(intervals.dropLast().map { $0.end?.timeIntervalSince(start) ?? -1 }.map { $0 / 60 } == [10, 20, 30, 35, 40])
        #expect(intervals.last?.end == nil)
        #expect(intervals[2].activity == "Playing Factorio" && intervals[4].customStatus == "brb")
    }

    @Test func aBatchRecordsEveryMemberOnceAndOnlyStaff() throws {
        try PresenceStore(db).upsert([record("online", at: 0), record("online", at: 0, who: stranger)])
        try PresenceStore(db).upsert([record("dnd", at: 5), record("idle", at: 5, who: stranger)])
        #expect(try history().map(\.status) == ["online", "dnd"])
        #expect(try history(stranger).isEmpty, "only staff members have a history")
    }

    @Test func markOfflineClosesTheIntervalAndStopsLastSeen() throws {
        try PresenceStore(db).upsert([record("online", at: 0)])
        let before = Date()
        #expect(try PresenceStore(db).markOffline(guildID: guild, notSeenSince: Date()) == 1)
        let seen = try #require(try lastSeen())
        #expect(seen >= before.addingTimeInterval(-5) && seen <= Date().addingTimeInterval(5))
        let intervals = try PresenceHistoryStore(db).intervals(
            discordID: ann, guildID: guild, from: start.addingTimeInterval(-86_400), to: Date().addingTimeInterval(60))
        #expect(intervals.map(\.status) == ["online", "offline"])
        #expect(intervals.first?.end == intervals.last?.start)
    }

    @Test func pruneDeletesOnlyIntervalsThatEndedBeforeTheCutoff() throws {
        // Years before every other test's history, which the same database holds.
        let past = -3_000_000.0
        let store = PresenceStore(db)
        try store.upsert([record("online", at: past)])
        try store.upsert([record("idle", at: past + 60)])
        try store.upsert([record("online", at: past + 120)])
        #expect(try PresenceHistoryStore(db).prune(endedBefore: start.addingTimeInterval((past + 90) * 60)) == 1)
        let kept = try PresenceHistoryStore(db).intervals(
            discordID: ann, guildID: guild, from: start.addingTimeInterval((past - 10) * 60), to: start)
        #expect(kept.map(\.status) == ["idle", "online"])
    }
}
