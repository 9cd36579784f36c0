import Foundation
import GuildGateTesting
import Store
import Testing

extension EndToEnd {
    /// `GET /api/staff/roster/events`: presence changes pushed through nginx (nchan) to subscribers, resumed with
    /// `Last-Event-ID`, authorized like the roster, published only by guildgate-web on nginx's unix socket.
    @Suite struct RosterEvents {
        static let ann = "100000000000000301"
        static let bob = "100000000000000302"
        static let path = "/api/staff/roster/events"

        let stack: TestStack
        let sandbox: SandboxControl
        let db: PostgresConnection
        let port: Int
        let apiToken: String

        init() throws {
            (stack, sandbox) = try EndToEnd.stack()
            db = EndToEnd.database(stack)
            port = try #require(Int(stack.settings["HTTP_PORT"] ?? ""))
            apiToken = try #require(stack.settings["GUILDGATE_API_TOKEN"])
            let guildID = try #require(stack.settings["DISCORD_GUILD_ID"])
            try db.query("TRUNCATE staff, presences, bot_heartbeats, jobs")
            // Presences before staff: the trigger publishes staff members' changes only, so setting up sends no
            // event that could reach a subscriber of the test late.
            try db.query("INSERT INTO presences (guild_id, discord_id) VALUES ($1, $2), ($1, $3)", [guildID, Self.ann, Self.bob])
            try db.query(
                "INSERT INTO staff (name, rank, discord_id) VALUES ('Ann', 'Lead', $1), ('Bob', 'Staff', $2)", [Self.ann, Self.bob])
        }

        /// A subscriber with the API token (and `headers`), admitted.
        func subscribe(_ headers: [String: String] = [:], query: String = "") throws -> EventStream {
            let stream = try #require(
                EventStream(port: port, path: Self.path + query, headers: headers.merging(["Authorization": "Bearer \(apiToken)"]) { $1 }))
            #expect(stream.status == 200)
            #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            return stream
        }

        /// Changes a member's presence in PostgreSQL, as guildgate-bot's upsert does.
        func set(_ discordID: String, status: String, activity: String? = nil) throws {
            try db.query(
                "UPDATE presences SET status = $2, activity = $3, updated_at = now() WHERE discord_id = $1", [discordID, status, activity])
        }

        static func entry(_ event: EventStream.Event?) -> [String: Any] {
            event.flatMap { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] } ?? [:]
        }

        @Test func aPushedPresenceReachesASubscriberWithinASecondWithTheRosterFields() throws {
            try sandbox.addMember(id: Self.ann, username: "ann", status: "online")
            try sandbox.addMember(id: Self.bob, username: "bob")
            let bot = try BotProcess(stack: stack)
            defer {
                bot.signal(SIGTERM)
                _ = bot.waitForExit(timeout: 15)
            }
            #expect(bot.waitUntilReady(), "the bot never became ready: \(bot.errorOutput.suffix(2000))")
            let stream = try subscribe()
            let pushed = Date()
            try sandbox.pushPresence(userID: Self.bob, status: "idle", activities: #"[{"name":"Factorio","type":0}]"#)
            var event: [String: Any] = [:]
            while event["discord_status"] as? String != "idle",
                let next = stream.next(timeout: max(0, 1 - Date().timeIntervalSince(pushed)))
            {
                event = Self.entry(next)
            }
            #expect(event["discord_status"] as? String == "idle", "no event within a second")
            #expect(event["discord_id"] as? String == Self.bob)
            #expect(event["discord_activity"] as? String == "Playing Factorio")

            let roster = try JSONSerialization.jsonObject(
                with: Data(
                    try Browser(baseURL: stack.webURL).get("/api/staff/roster/", headers: ["Authorization": "Bearer \(apiToken)"]).body.utf8
                ))
            let listed = try #require((roster as? [[String: Any]])?.first { $0["discord_id"] as? String == Self.bob })
            #expect(Set(event.keys) == Set(listed.keys), "an event has the roster entry's fields")
            #expect(event["id"] as? Int == listed["id"] as? Int && event["name"] as? String == "Bob")
        }

        @Test func lastEventIDResumesWithoutGaps() throws {
            var stream: EventStream? = try subscribe()
            try set(Self.ann, status: "online")
            let first = try #require(stream?.next(timeout: 2), "no event for the first change")
            #expect(Self.entry(first)["discord_status"] as? String == "online")
            let lastID = try #require(first.id)
            stream = nil

            try set(Self.bob, status: "dnd")
            try set(Self.ann, status: "idle", activity: "Playing Go")
            let resumed = try subscribe(["Last-Event-ID": lastID])
            let missed = [resumed.next(timeout: 2), resumed.next(timeout: 2)].map(Self.entry)
            #expect(missed.map { $0["discord_id"] as? String } == [Self.bob, Self.ann])
            #expect(missed.map { $0["discord_status"] as? String } == ["dnd", "idle"])
            #expect(missed.last?["discord_activity"] as? String == "Playing Go")
            #expect(resumed.next(timeout: 0.3) == nil, "the first event came again")

            // An unchanged presence (a heartbeat of the same status) is no event.
            try db.query("UPDATE presences SET updated_at = now() WHERE discord_id = $1", [Self.bob])
            #expect(resumed.next(timeout: 0.5) == nil)
        }

        @Test func strangersAreRefusedAndNobodyOutsideCanPublish() throws {
            let stranger = try #require(EventStream(port: port, path: Self.path))
            #expect(stranger.status == 401, "members access: a stranger may not subscribe")
            let forged = try #require(EventStream(port: port, path: Self.path, headers: ["Authorization": "Bearer forged"]))
            #expect(forged.status == 401)

            let subscriber = try subscribe()
            let browser = Browser(baseURL: stack.webURL)
            let attempts = [Self.path, "/roster", "/_guildgate/roster-events-access", "/api/staff/roster/events/"]
            for attempt in attempts {
                let answer = try browser.send(
                    "POST", attempt, headers: ["Authorization": "Bearer \(apiToken)", "Content-Type": "application/json"],
                    body: Array(#"{"discord_status":"forged"}"#.utf8))
                #expect(!(200..<300).contains(answer.status), "POST \(attempt) answered \(answer.status)")
            }
            #expect(subscriber.next(timeout: 0.5) == nil, "a request from outside published an event")
        }

        @Test func thePageFollowsTheStreamAndShowsLastSeen() throws {
            let page = try Browser(baseURL: stack.webURL).get("/staff/roster", headers: ["Authorization": "Bearer \(apiToken)"])
            #expect(page.status == 200)
            #expect(page.body.contains(#"<script src="/scripts/roster.js" defer></script>"#))
            let script = try Browser(baseURL: stack.webURL).get("/scripts/roster.js")
            #expect(script.status == 200)
            #expect(script.body.contains(#"new EventSource("/api/staff/roster/events")"#))
            #expect(script.body.contains("member.discord_last_seen"), "offline members show when they were last seen")
            #expect(!script.body.contains("setInterval(refresh"), "the roster is not polled while the stream works")
        }
    }
}
