@testable import BotWorker
@testable import DiscordGateway
import JSONSupport
import Testing

/// How bots split Discord's shards and space their identifies (docs: `events/gateway` "Sharding").
@Suite struct GatewayShards {
    @Test(arguments: [(1, 1, 1), (1, 2, 1), (2, 1, 2), (2, 2, 1), (3, 2, 2), (4, 3, 2), (5, 0, 5)])
    func eachBotTakesAnEvenShareOfTheShards(shards: Int, bots: Int, share: Int) {
        #expect(GatewayPlan(url: "wss://gateway.discord.gg", shards: shards, maxConcurrency: 1).fairShare(liveBots: bots) == share)
    }

    @Test func aShardsIdentifyBucketIsItsIDModuloMaxConcurrency() {
        #expect(GatewayShard(id: 17, count: 32).rateLimitKey(maxConcurrency: 16) == 1)
        #expect(GatewayShard(id: 5, count: 8).rateLimitKey(maxConcurrency: 1) == 0)
    }

    @Test func aGuildBelongsToTheShardOfItsIDShiftedBy22() {
        // 41771983423143937 >> 22 = 9959216934, which is 2 modulo 4.
        #expect(GatewayShard(id: 2, count: 4).holds(guildID: "41771983423143937"))
        #expect(!GatewayShard(id: 3, count: 4).holds(guildID: "41771983423143937"))
        #expect(GatewayShard(id: 0, count: 1).holds(guildID: "41771983423143937"))
    }

    @Test func identifyCarriesTheShardOnlyWhenSharded() {
        let sharded = GatewayPayload.identify(token: "t", intents: [], shard: GatewayShard(id: 1, count: 2))
        #expect(sharded.data["shard"] == [1, 2])
        #expect(GatewayPayload.identify(token: "t", intents: []).data["shard"] == nil)
    }
}
