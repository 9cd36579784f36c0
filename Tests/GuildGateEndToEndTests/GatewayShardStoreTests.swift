import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// What the bots share about the gateway, on the stack's PostgreSQL: shard locks that belong to a connection,
    /// saves only their holder makes, the running bots, and one session start per identify bucket per window.
    @Suite struct GatewayShardLocks {
        static let session = SavedGatewaySession(
            sessionID: "0123456789abcdef0123456789abcdef", resumeURL: "wss://gateway-us-east1-b.discord.gg", sequence: 7,
            botUserID: "100", applicationID: "200", guildIDs: ["300", "400"])

        let stack: TestStack

        init() throws {
            (stack, _) = try EndToEnd.stack()
        }

        @Test func aShardIsHeldByOneConnectionAndFreedWhenItCloses() throws {
            let other = GatewayShardStore(EndToEnd.database(stack))
            do {
                // Its connection closes at the end of this block, as a killed bot's does.
                let held = GatewayShardStore(EndToEnd.database(stack))
                #expect(try held.tryHold(shard: 0))
                #expect(try !other.tryHold(shard: 0))
                #expect(try held.ownLocks().shards == [0] && other.ownLocks().shards.isEmpty)

                #expect(
                    try !other.save(shard: 0, of: 1, session: Self.session, heldBy: "other"), "a bot without the lock saved the session")
                #expect(try held.save(shard: 0, of: 1, session: Self.session, heldBy: "holder"))
                #expect(try other.session(shard: 0, of: 1) == Self.session)
                #expect(try other.session(shard: 0, of: 2) == nil, "a session saved when there were other shards")
            }
            #expect(poll(timeout: 2) { try other.tryHold(shard: 0) }, "the lock outlived its connection")
        }

        @Test func runningBotsAreCountedByTheirRegistrations() throws {
            let first = GatewayShardStore(EndToEnd.database(stack))
            let second = GatewayShardStore(EndToEnd.database(stack))
            try first.register(key: 101)
            #expect(try first.ownLocks().registered && !second.ownLocks().registered)
            #expect(try second.liveBots() == 1)
            try second.register(key: 102)
            #expect(try first.liveBots() == 2)
        }

        @Test func eachBucketStartsOneSessionPerWindow() throws {
            let store = GatewayShardStore(EndToEnd.database(stack))
            #expect(try store.claimIdentify(bucket: 0, window: .seconds(5)) == nil)
            let wait = try #require(try store.claimIdentify(bucket: 0, window: .seconds(5)))
            #expect(wait > .seconds(4) && wait <= .seconds(5), "\(wait)")
            #expect(try store.claimIdentify(bucket: 1, window: .seconds(5)) == nil, "buckets wait for each other")
            #expect(try store.claimIdentify(bucket: 2, window: .milliseconds(200)) == nil)
            #expect(poll(timeout: 2) { try store.claimIdentify(bucket: 2, window: .milliseconds(200)) == nil }, "a window never ends")
        }
    }
}
