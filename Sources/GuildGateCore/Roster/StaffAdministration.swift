import JSONSupport
import Store

/// Why the admin panel refused a change to the staff roster; nothing was changed.
public enum StaffAdministrationError: Error, Equatable {
    /// The details break `StaffDetails`' rules.
    case invalid([StaffDetails.Problem])
    case notFound(id: Int)
    /// Another staff member has this Discord id.
    case discordIDTaken(String)
    /// The CSV cannot be imported; every problem is named with its line.
    case importRefused(RosterCSV.Invalid)
}

/// The admin panel's operations on the staff roster: list everyone (active or not), create, edit,
/// deactivate and reactivate, import a roster CSV (the rules and all-or-nothing behaviour of
/// `guildgate-web staff import`) and export one. Each change is audited in the transaction that makes it.
public struct StaffAdministration {
    /// What an import changed.
    public struct ImportSummary: Sendable, Equatable {
        public let created: Int
        public let updated: Int
    }

    /// A change to some of a member's details; nil fields keep their value.
    public struct Changes: Sendable, Equatable {
        public var name: String?
        public var rank: String?
        public var discordID: String?
        public var active: Bool?
        public var presenceCardPublic: Bool?

        public init(
            name: String? = nil, rank: String? = nil, discordID: String? = nil, active: Bool? = nil, presenceCardPublic: Bool? = nil
        ) {
            self.name = name
            self.rank = rank
            self.discordID = discordID
            self.active = active
            self.presenceCardPublic = presenceCardPublic
        }
    }

    let db: PostgresConnection
    let actor: AuditActor

    public init(db: PostgresConnection, actor: AuditActor) {
        self.db = db
        self.actor = actor
    }

    /// Everyone, active members first; `active` narrows to the active or the inactive ones.
    public func members(active: Bool? = nil) throws -> [StaffMember] {
        try StaffStore(db).members(active: active)
    }

    public func member(id: Int) throws -> StaffMember {
        guard let member = try StaffStore(db).member(id: id) else { throw StaffAdministrationError.notFound(id: id) }
        return member
    }

    /// Adds an active member.
    public func create(name: String, rank: String, discordID: String) throws -> StaffMember {
        let details = try Self.validated(name: name, rank: rank, discordID: discordID)
        return try db.transaction { db in
            guard let member = try StaffStore(db).create(name: details.name, rank: details.rank, discordID: details.discordID) else {
                throw StaffAdministrationError.discordIDTaken(details.discordID)
            }
            try audit("staff.create", member, db: db)
            return member
        }
    }

    /// Changes what `changes` gives, checked by the same rules as a new member's details.
    public func update(id: Int, _ changes: Changes) throws -> StaffMember {
        let current = try member(id: id)
        let details = try Self.validated(
            name: changes.name ?? current.name, rank: changes.rank ?? current.rank, discordID: changes.discordID ?? current.discordID)
        let active = changes.active ?? current.active
        let cardPublic = changes.presenceCardPublic ?? current.presenceCardPublic
        return try db.transaction { db in
            switch try StaffStore(db).update(
                id: id, name: details.name, rank: details.rank, discordID: details.discordID, active: active,
                presenceCardPublic: cardPublic)
            {
            case .updated(let member):
                try audit(action(updating: current, to: member), member, db: db, detail: ["before": Self.json(current)])
                return member
            case .notFound: throw StaffAdministrationError.notFound(id: id)
            case .discordIDTaken: throw StaffAdministrationError.discordIDTaken(details.discordID)
            }
        }
    }

    /// Takes the member off the roster (or puts them back), keeping their details.
    public func setActive(id: Int, _ active: Bool) throws -> StaffMember {
        try update(id: id, Changes(active: active))
    }

    /// Imports a roster CSV: every row or, when any row is bad, none (`importRefused` names each bad line).
    public func importCSV(_ text: String) throws -> ImportSummary {
        let rows: [StaffImportRow]
        do {
            rows = try RosterCSV.parse(text)
        } catch {
            throw StaffAdministrationError.importRefused(error)
        }
        return try db.transaction { db in
            let counts = try StaffStore(db).upsert(rows)
            try AuditLogStore(db).record(
                actor: actor, action: "staff.import", target: AuditTarget.roster,
                detail: ["rows": .int(rows.count), "created": .int(counts.created), "updated": .int(counts.updated)])
            return ImportSummary(created: counts.created, updated: counts.updated)
        }
    }

    /// Everyone as a CSV that `importCSV` reads back.
    public func exportCSV() throws -> String {
        RosterCSV.export(try members())
    }

    private static func validated(name: String, rank: String, discordID: String) throws(StaffAdministrationError) -> StaffDetails {
        do {
            return try StaffDetails.validated(name: name, rank: rank, discordID: discordID)
        } catch {
            throw .invalid(error.problems)
        }
    }

    private func action(updating before: StaffMember, to after: StaffMember) -> String {
        let detailsChanged = before.name != after.name || before.rank != after.rank || before.discordID != after.discordID
        if before.presenceCardPublic != after.presenceCardPublic, !detailsChanged, before.active == after.active {
            return after.presenceCardPublic ? "staff.presence_card_on" : "staff.presence_card_off"
        }
        guard before.active != after.active else { return "staff.update" }
        return detailsChanged ? "staff.update" : after.active ? "staff.reactivate" : "staff.deactivate"
    }

    private func audit(_ action: String, _ member: StaffMember, db: PostgresConnection, detail: JSON = [:]) throws(StoreError) {
        var members: [(String, JSON)] = [("member", Self.json(member))]
        if case .object(let extra) = detail { members += extra }
        try AuditLogStore(db).record(actor: actor, action: action, target: AuditTarget.staff(member.id), detail: .object(members))
    }

    /// What the audit log keeps of a member.
    static func json(_ member: StaffMember) -> JSON {
        [
            "name": .string(member.name), "rank": .string(member.rank), "discord_id": .string(member.discordID),
            "active": .bool(member.active), "presence_card_public": .bool(member.presenceCardPublic),
        ]
    }
}
