/// The URL a gateway connection opens, built from whatever Discord hands out: `GET /gateway/bot`'s `url`
/// and READY's `resume_gateway_url` come without a path (`wss://gateway.discord.gg`), and
/// `DISCORD_GATEWAY_URL` may have one, a trailing slash or a query. Scheme and authority are kept, an
/// empty path becomes `/`, and the query is the version and encoding GuildGate speaks (v10, JSON text
/// frames, no compression).
enum GatewayURL {
    static func connection(_ url: String) -> String {
        var rest = Substring(url)
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        var path = "/"
        if let schemeEnd = rest.range(of: "://") {
            let authority = rest[schemeEnd.upperBound...]
            if let slash = authority.firstIndex(of: "/") {
                path = String(authority[slash...])
                rest = rest[..<slash]
            }
        }
        return rest + path + "?v=10&encoding=json"
    }
}
