import Foundation
import GuildGateCore
import JSONSupport
import Store

/// A staff member's presence over HTTP (`StaffPresence`): the `/staff/{id}` page (a 7-day timeline and an
/// hour-of-day heatmap drawn as SVG, time online per day), the same data as JSON, and their public card
/// switched on or off by themselves or an admin.
enum StaffPresenceRoutes {
    static func register(on router: inout Router) {
        router.get("/staff/{id}", .roster, page)
        router.post("/staff/{id}/presence-card", .member, csrf: .formField, cardForm)
        router.get("/api/staff/{id}/presence", .roster, presence)
        router.put("/api/staff/{id}/presence-card", .member, csrf: .header, cardAPI)
    }

    private static func presence(_ request: Request, _ context: RequestContext) throws -> Response {
        let id = try request.idParameter()
        let range = try PresenceRange(from: request.query["from"], to: request.query["to"], now: context.now)
        let report = try StaffPresence(context).report(staffID: id, range: range, now: context.now)
        let timeline = report.timeline
        return .json([
            "id": .int(report.member.id), "name": .string(report.member.name), "discord_id": .string(report.member.discordID),
            "status": .string(report.now.status), "custom_status": report.now.customStatus.json, "activity": report.now.activity.json,
            "last_seen": report.now.lastSeenAt.map(ISO8601Timestamp.format).json,
            "presence_card_public": .bool(report.member.presenceCardPublic),
            "from": .string(ISO8601Timestamp.format(timeline.from)), "to": .string(ISO8601Timestamp.format(timeline.to)),
            "intervals": .array(
                timeline.intervals.map { interval in
                    [
                        "status": .string(interval.status), "custom_status": interval.customStatus.json,
                        "activity": interval.activity.json, "from": .string(ISO8601Timestamp.format(interval.start)),
                        "to": (interval.end.map(ISO8601Timestamp.format)).json,
                    ]
                }),
            "days": .array(
                timeline.days.map { day in
                    ["date": .string(String(ISO8601Timestamp.format(day.start).prefix(10))), "online_seconds": .int(day.onlineSeconds)]
                }),
            "hours": .array(timeline.hourlyOnlineSeconds.map(JSON.int)),
            "online_seconds": .int(timeline.onlineSeconds),
        ])
    }

    private static func page(_ request: Request, _ context: RequestContext) throws -> Response {
        let id = try request.idParameter()
        let range = PresenceRange.wholeDays(PresenceRange.defaultDays, until: context.now)
        let report = try StaffPresence(context).report(staffID: id, range: range, now: context.now)
        let member = report.member
        let base = context.config.webAppBaseURL
        return try context.render(
            "staff-presence",
            [
                "id": member.id, "name": member.name, "rank": member.rank, "discord_id": member.discordID,
                "status": report.now.status, "status_label": Roster.label(report.now.status),
                "custom_status": report.now.customStatus ?? "", "activity": report.now.activity ?? "",
                "last_seen": report.now.status != "offline"
                    ? "now" : report.now.lastSeenAt.map { RelativeTime.ago($0, now: context.now) } ?? "never",
                "timeline_svg": PresenceTimelineChart.timeline(report.timeline),
                "heatmap_svg": PresenceTimelineChart.heatmap(report.timeline),
                "days": report.timeline.days.reversed().map { day -> [String: Any] in
                    ["label": PresenceTimelineChart.dayLabel(day.start), "online": PresenceTimelineChart.duration(day.onlineSeconds)]
                },
                "total_online": PresenceTimelineChart.duration(report.timeline.onlineSeconds),
                "card_public": member.presenceCardPublic,
                "can_change_card": try mayChangeCard(staffID: member.id, context),
                "card_url": "\(base)/api/presence/\(member.discordID)", "badge_url": "\(base)/api/presence/\(member.discordID).svg",
                "notice": request.query["notice"] == "card" ? "Presence card saved." : "",
            ])
    }

    /// The page's form: `public` checked or not.
    private static func cardForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        try context.requireCSRF(try context.caller(), formToken: fields["csrf_token"])
        let member = try setCard(staffID: try request.idParameter(), isPublic: fields["public"] != nil, context)
        return .redirect(to: "/staff/\(member.id)?notice=card", status: .seeOther)
    }

    /// `{"public": bool}`.
    private static func cardAPI(_ request: Request, _ context: RequestContext) throws -> Response {
        var fields = JSONFields(try request.jsonObject())
        let isPublic = fields.bool("public")
        try fields.check()
        guard let isPublic else { throw HTTPError.validation([FieldError("public", "is required (true or false)")]) }
        let member = try setCard(staffID: try request.idParameter(), isPublic: isPublic, context)
        return .json([
            "id": .int(member.id), "discord_id": .string(member.discordID), "presence_card_public": .bool(member.presenceCardPublic),
        ])
    }

    /// An admin (or the API token) for anyone, audited as the admin; a user for their own card only.
    private static func setCard(staffID: Int, isPublic: Bool, _ context: RequestContext) throws -> StaffMember {
        let caller = try context.caller()
        if caller.isAdmin {
            return try StaffAdministration(db: context.db, actor: try context.auditActor())
                .update(id: staffID, .init(presenceCardPublic: isPublic))
        }
        guard let userID = caller.userID else { throw StaffPresenceError.notYours }
        return try StaffPresence(context).setOwnCard(staffID: staffID, public: isPublic, userID: userID)
    }

    private static func mayChangeCard(staffID: Int, _ context: RequestContext) throws -> Bool {
        let caller = try context.caller()
        if caller.isAdmin { return true }
        guard let userID = caller.userID else { return false }
        return try StaffPresence(context).isOwn(staffID: staffID, userID: userID)
    }
}

extension StaffPresence {
    init(_ context: RequestContext) {
        self.init(db: context.db, guildID: context.config.discordGuildID)
    }
}
