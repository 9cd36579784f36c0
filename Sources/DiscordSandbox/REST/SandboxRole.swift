import JSONSupport

/// A guild role (docs: `topics/permissions` "Role Object", "Role Tags Structure"). Its `position` is kept by
/// `GuildRoles`; roles without a colour, icon or emoji, as a bot's tests make them.
struct SandboxRole: Sendable {
    /// Who manages a managed role (docs: "Role Tags Structure").
    enum Manager: Sendable {
        /// A bot's own role, made when the bot was invited: `{"bot_id": ...}`.
        case bot(id: String)
        /// An integration's role (Twitch, YouTube…): `{"integration_id": ...}`.
        case integration(id: String)
        /// The guild's Booster role: `{"premium_subscriber": null}`, a "true" tag being a present `null`.
        case premiumSubscriber
    }

    let id: String
    var name: String
    var position: Int
    var permissions: UInt64
    var hoist = false
    var mentionable = false
    /// Set for a managed role: nobody can assign or remove it by hand.
    var manager: Manager?

    var isManaged: Bool { manager != nil }

    /// The role object with Discord's key order; `tags` only on managed roles (the docs' Example Role has none).
    var json: JSON {
        var fields: [(String, JSON)] = [
            ("id", .string(id)),
            ("name", .string(name)),
            ("color", 0),
            ("colors", ["primary_color": 0, "secondary_color": .null, "tertiary_color": .null]),
            ("hoist", .bool(hoist)),
            ("icon", .null),
            ("unicode_emoji", .null),
            ("position", .int(position)),
            ("permissions", .string(String(permissions))),
            ("managed", .bool(isManaged)),
            ("mentionable", .bool(mentionable)),
        ]
        if let manager { fields.append(("tags", manager.tagsJSON)) }
        fields.append(("flags", 0))
        return .object(fields)
    }
}

extension SandboxRole.Manager {
    var tagsJSON: JSON {
        switch self {
        case .bot(let id): ["bot_id": .string(id)]
        case .integration(let id): ["integration_id": .string(id)]
        case .premiumSubscriber: ["premium_subscriber": .null]
        }
    }
}
