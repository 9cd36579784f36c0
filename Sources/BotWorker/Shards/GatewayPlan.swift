import DiscordKit
import JSONSupport

/// Where and how the bot's sessions connect, from `GET /gateway/bot` (docs: `events/gateway` "Get Gateway
/// Bot"): the URL, how many shards Discord recommends, and how many may identify per 5 s
/// (`session_start_limit.max_concurrency`). `DISCORD_GATEWAY_URL` skips the request: one shard.
struct GatewayPlan: Sendable, Equatable {
    let url: String
    let shards: Int
    let maxConcurrency: Int

    /// How long each identify bucket waits between two session starts, whichever bot sends them: Discord's
    /// 5 s, with room for the time an IDENTIFY takes to reach Discord after its slot was taken.
    static let identifyWindow = Duration.milliseconds(5500)

    static func discover(_ discord: DiscordClient, configuredURL: String?) throws -> GatewayPlan {
        if let configuredURL { return GatewayPlan(url: configuredURL, shards: 1, maxConcurrency: 1) }
        let response = try discord.send(Route(.get, "/gateway/bot"))
        let body = JSON.parse(response.body)
        guard let url = body?["url"]?.string else {
            throw DiscordError.invalidResponse(status: response.status, reason: "GET /gateway/bot has no url")
        }
        return GatewayPlan(
            url: url, shards: max(body?["shards"]?.integer ?? 1, 1),
            maxConcurrency: max(body?["session_start_limit"]?["max_concurrency"]?.integer ?? 1, 1))
    }

    /// The shard a process should hold at most: an even split among the bots running now.
    func fairShare(liveBots: Int) -> Int {
        let bots = max(liveBots, 1)
        return (shards + bots - 1) / bots
    }
}
