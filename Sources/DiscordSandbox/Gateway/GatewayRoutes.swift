/// Where the gateway is (docs: `events/gateway` "Get Gateway Bot"; developers/events/gateway, "Get Gateway", "Get Gateway Bot"): the
/// URL without a path, as Discord's. The gateway itself is `GatewayServer`, on the same port.
enum GatewayRoutes {
    static var routes: [Route] {
        [
            .discord(.GET, "/gateway") { context in
                .json(["url": .string(context.configuration.gatewayURL)])
            },
            .discord(.GET, "/gateway/bot") { context in
                try context.requireBotToken()
                let (identifies, settings) = context.state.withLock { ($0.gateway.identifies, $0.gateway.settings) }
                return .json([
                    "url": .string(context.configuration.gatewayURL),
                    "shards": .int(settings.shards),
                    "session_start_limit": [
                        "total": 1000,
                        "remaining": .int(max(0, 1000 - identifies)),
                        "reset_after": 14_400_000,
                        "max_concurrency": .int(settings.maxConcurrency),
                    ],
                ])
            },
        ]
    }
}
