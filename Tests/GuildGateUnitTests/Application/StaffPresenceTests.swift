import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// A staff member's page and presence API, and the public presence card: who may see what, validation,
/// 404 until the card is public, conditional requests, and who may turn the card on.
@Suite struct StaffPresenceRoutes {
    let app: TestApplication
    let db: PostgresConnection
    let ann: String
    let staffID: Int
    /// Ann herself, signed in with the Discord account of her staff row.
    let own: TestClient
    let ownCSRF: String

    init() async throws {
        app = try await TestApplication()
        db = app.database()
        ann = uniqueSnowflake()
        staffID = try #require(
            try db.query("INSERT INTO staff (name, rank, discord_id) VALUES ('<Ann & \"Co\">', 'Lead', $1) RETURNING id", [ann])
                .first?.int("id"))
        own = app.client()
        let user = try UserStore(db).upsertDiscordLogin(discordID: ann, discordUsername: "ann")
        ownCSRF = try own.signIn(userID: user.id)
        let guild = app.config.discordGuildID ?? ""
        let now = app.clock.date
        func seen(_ status: String, _ minutesAgo: Double, activity: String? = nil) throws {
            try PresenceStore(db).upsert([
                PresenceRecord(
                    guildID: guild, discordID: ann, status: status, customStatus: nil, activity: activity, clientStatus: [:],
                    seenAt: now.addingTimeInterval(-minutesAgo * 60))
            ])
        }
        try seen("online", 180)
        try seen("idle", 120, activity: "Playing <Factorio>")
        try seen("offline", 60)
    }

    @Test func thePageAndTheAPIShowTheHistoryToWhoMaySeeTheRoster() throws {
        let stranger = app.client()
        #expect(try stranger.get("/api/staff/\(staffID)/presence").status == 401)
        #expect(try stranger.get("/staff/\(staffID)").location == "/login?next=/staff/\(staffID)")

        let page = try own.get("/staff/\(staffID)")
        #expect(page.status == 200)
        #expect(page.body.contains("&lt;Ann &amp; &quot;Co&quot;&gt;") || page.body.contains("&lt;Ann &amp; &#34;Co&#34;&gt;"))
        #expect(page.body.contains("<svg") && page.body.contains("last seen 1 h ago"))
        #expect(page.body.contains("2 h 00 min"), "online and idle for two hours today or across midnight")
        #expect(page.body.contains("action=\"/staff/\(staffID)/presence-card\""), "her own page offers the card form")
        let roster = try own.get("/staff/roster")
        #expect(roster.body.contains("<a href=\"/staff/\(staffID)\">"))

        let answer = try own.get("/api/staff/\(staffID)/presence")
        #expect(answer.status == 200)
        let json = try #require(answer.json)
        #expect(json["status"] as? String == "offline")
        #expect(json["last_seen"] as? String == ISO8601Timestamp.format(app.clock.date.addingTimeInterval(-3_600)))
        let intervals = try #require(json["intervals"] as? [[String: Any]])
        #expect(intervals.map { $0["status"] as? String } == ["online", "idle", "offline"])
        #expect(intervals[1]["activity"] as? String == "Playing <Factorio>")
        #expect(json["online_seconds"] as? Int == 7_200)
        #expect((json["hours"] as? [Int])?.count == 24 && (json["hours"] as? [Int])?.reduce(0, +) == 7_200)
        #expect((json["days"] as? [[String: Any]])?.compactMap { $0["online_seconds"] as? Int }.reduce(0, +) == 7_200)

        let narrow = try #require(
            try own.get(
                "/api/staff/\(staffID)/presence?from=\(ISO8601Timestamp.format(app.clock.date.addingTimeInterval(-150 * 60)))"
                    + "&to=\(ISO8601Timestamp.format(app.clock.date.addingTimeInterval(-90 * 60)))"
            ).json)
        let clipped = try #require(narrow["intervals"] as? [[String: Any]])
        #expect(clipped.map { $0["status"] as? String } == ["online", "idle"])
        #expect(narrow["online_seconds"] as? Int == 3_600)
    }

    @Test func badRangesAndUnknownMembersAreRefused() throws {
        for (query, field) in [
            ("from=yesterday", "from"), ("to=12%2F01%2F2026", "to"), ("from=2026-12-05&to=2026-12-01", "from"),
            ("from=2026-01-01&to=2026-12-01", "from"),
        ] {
            let refused = try own.get("/api/staff/\(staffID)/presence?\(query)")
            #expect(refused.status == 400, "\(query)")
            #expect((refused.json?["fields"] as? [String: Any])?[field] != nil, "\(query): \(refused.body)")
        }
        #expect(try own.get("/api/staff/999999999/presence").status == 404)
        #expect(try own.get("/api/staff/abc/presence").status == 404)
        #expect(try own.get("/staff/999999999").status == 404)
    }

    @Test func theCardIsPrivateUntilAnnTurnsItOnThenCachedByETag() throws {
        let anyone = app.client()
        let unknown = try anyone.get("/api/presence/\(uniqueSnowflake())")
        let privateCard = try anyone.get("/api/presence/\(ann)")
        #expect(privateCard.status == 404 && unknown.status == 404 && privateCard.body == unknown.body)
        #expect(try anyone.get("/api/presence/\(ann).svg").status == 404)

        let form = "/staff/\(staffID)/presence-card"
        #expect(try own.post(form, form: ["public": "1"]).status == 403, "no CSRF token")
        #expect(try own.post(form, form: ["public": "1", "csrf_token": "forged"]).status == 403)
        #expect(try anyone.get("/api/presence/\(ann)").status == 404)
        let saved = try own.post(form, form: ["public": "1", "csrf_token": ownCSRF])
        #expect(saved.status == 303 && saved.location == "/staff/\(staffID)?notice=card")
        let audit = try AuditLogStore(db).recent(limit: 5, target: "staff:\(staffID)")
        #expect(audit.first?.action == "staff.presence_card_on" && audit.first?.actor.hasPrefix("user:") == true)

        let card = try anyone.get("/api/presence/\(ann)")
        #expect(card.status == 200)
        #expect(card.headers["cache-control"] == "public, max-age=30")
        let json = try #require(card.json)
        #expect(json["name"] as? String == "<Ann & \"Co\">" && json["status"] as? String == "offline")
        #expect(json["last_seen"] as? String == ISO8601Timestamp.format(app.clock.date.addingTimeInterval(-3_600)))
        let etag = try #require(card.headers["etag"])
        let unchanged = try anyone.get("/api/presence/\(ann)", headers: ["If-None-Match": etag])
        #expect(unchanged.status == 304 && unchanged.bytes.isEmpty && unchanged.headers["etag"] == etag)
        #expect(card.headers["access-control-allow-origin"] == "*" && unchanged.headers["access-control-allow-origin"] == "*")

        let badge = try anyone.get("/api/presence/\(ann).svg")
        #expect(badge.status == 200 && badge.headers["content-type"]?.hasPrefix("image/svg+xml") == true)
        #expect(XMLParser(data: Data(badge.bytes)).parse(), "\(badge.body)")
        #expect(badge.body.contains("&lt;Ann &amp; &quot;Co&quot;&gt;"))
        let badgeTag = try #require(badge.headers["etag"])
        #expect(badgeTag != etag)
        #expect(try anyone.get("/api/presence/\(ann).svg", headers: ["If-None-Match": badgeTag]).status == 304)

        try PresenceStore(db).upsert([
            PresenceRecord(
                guildID: app.config.discordGuildID ?? "", discordID: ann, status: "dnd", customStatus: nil, activity: nil,
                clientStatus: [:], seenAt: app.clock.date)
        ])
        #expect(try anyone.get("/api/presence/\(ann)", headers: ["If-None-Match": etag]).status == 200, "a change is a new version")

        let off = try own.send(
            "PUT", "/api/staff/\(staffID)/presence-card", headers: ["X-CSRF-Token": ownCSRF, "Content-Type": "application/json"],
            body: Array(#"{"public": false}"#.utf8))
        #expect(off.status == 200 && off.json?["presence_card_public"] as? Bool == false)
        #expect(try anyone.get("/api/presence/\(ann)").status == 404)
    }

    @Test func aMemberCannotTurnOnSomeoneElsesCardAnAdminCan() throws {
        let other = app.client()
        let (_, csrf) = try other.signInAsMember(username: "not_ann")
        let json = ["X-CSRF-Token": csrf, "Content-Type": "application/json"]
        let refused = try other.send("PUT", "/api/staff/\(staffID)/presence-card", headers: json, body: Array(#"{"public": true}"#.utf8))
        #expect(refused.status == 403 && refused.json?["code"] as? String == "forbidden")
        #expect(try other.post("/staff/\(staffID)/presence-card", form: ["public": "1", "csrf_token": csrf]).status == 403)
        #expect(!(try other.get("/staff/\(staffID)").body.contains("presence-card\"")), "no form on someone else's page")
        #expect(try app.client().send("PUT", "/api/staff/\(staffID)/presence-card", headers: json, body: []).status == 401)
        #expect(try app.client().get("/api/presence/\(ann)").status == 404)

        let token = try #require(app.config.apiToken)
        let byAdmin = try other.send(
            "PUT", "/api/admin/staff/\(staffID)", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
            body: Array(#"{"presence_card_public": true}"#.utf8))
        #expect(byAdmin.status == 200 && byAdmin.json?["presence_card_public"] as? Bool == true)
        #expect(try AuditLogStore(db).recent(limit: 1, target: "staff:\(staffID)").first?.action == "staff.presence_card_on")
        #expect(try app.client().get("/api/presence/\(ann)").status == 200)
        let missing = try other.send(
            "PUT", "/api/staff/\(staffID)/presence-card",
            headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
            body: Array("{}".utf8))
        #expect(missing.status == 400 && (missing.json?["fields"] as? [String: Any])?["public"] != nil)
    }
}
