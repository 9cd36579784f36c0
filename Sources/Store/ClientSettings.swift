import Foundation

/// The Discord client as saved from the admin panel (seed 004's "Discord client"), secrets sealed. A nil
/// field is not saved: the environment's value applies.
public struct StoredClientSettings: Sendable, Equatable {
    public var name: String?
    public var callbackURL: String?
    public var guildID: String?
    public var clientID: String?
    public var clientSecretSealed: [UInt8]?
    public var botTokenSealed: [UInt8]?
    public var inviteURL: String?
    public var nicknameTemplate: String?
    public var updatedBy: String?
    public var updatedAt: Date?

    public init(
        name: String? = nil, callbackURL: String? = nil, guildID: String? = nil, clientID: String? = nil,
        clientSecretSealed: [UInt8]? = nil, botTokenSealed: [UInt8]? = nil, inviteURL: String? = nil, nicknameTemplate: String? = nil
    ) {
        self.name = name
        self.callbackURL = callbackURL
        self.guildID = guildID
        self.clientID = clientID
        self.clientSecretSealed = clientSecretSealed
        self.botTokenSealed = botTokenSealed
        self.inviteURL = inviteURL
        self.nicknameTemplate = nicknameTemplate
    }
}

/// The one-row `client_settings` table. Every change NOTIFYs `guildgate_settings`, so each process reloads.
public struct ClientSettingsStore {
    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    public static let notificationChannel = "guildgate_settings"

    /// The saved settings, nil before the first save. `lockingRow` holds the row until the transaction ends,
    /// so that nobody saves in between.
    public func load(lockingRow: Bool = false) throws(StoreError) -> StoredClientSettings? {
        guard
            let row = try db.query(
                """
                SELECT name, callback_url, guild_id, client_id, client_secret_sealed, bot_token_sealed, invite_url,
                       nickname_template, updated_by, updated_at
                FROM client_settings WHERE id = 1
                """ + (lockingRow ? " FOR UPDATE" : "")
            ).first
        else { return nil }
        var settings = StoredClientSettings(
            name: row["name"], callbackURL: row["callback_url"], guildID: row["guild_id"], clientID: row["client_id"],
            clientSecretSealed: row.bytes("client_secret_sealed"), botTokenSealed: row.bytes("bot_token_sealed"),
            inviteURL: row["invite_url"], nicknameTemplate: row["nickname_template"])
        settings.updatedBy = row["updated_by"]
        settings.updatedAt = row.date("updated_at")
        return settings
    }

    /// Replaces the sealed secrets alone (sealed again under another key): who saved the settings and when stay.
    public func replaceSecrets(clientSecretSealed: [UInt8]?, botTokenSealed: [UInt8]?) throws(StoreError) {
        try db.query(
            "UPDATE client_settings SET client_secret_sealed = $1, bot_token_sealed = $2 WHERE id = 1",
            [clientSecretSealed.map(ByteA.init), botTokenSealed.map(ByteA.init)])
    }

    public func save(_ settings: StoredClientSettings, by actor: String) throws(StoreError) {
        try db.query(
            """
            INSERT INTO client_settings (id, name, callback_url, guild_id, client_id, client_secret_sealed, bot_token_sealed,
                                         invite_url, nickname_template, updated_by, updated_at)
            VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, now())
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, callback_url = excluded.callback_url,
                guild_id = excluded.guild_id, client_id = excluded.client_id,
                client_secret_sealed = excluded.client_secret_sealed, bot_token_sealed = excluded.bot_token_sealed,
                invite_url = excluded.invite_url, nickname_template = excluded.nickname_template,
                updated_by = excluded.updated_by, updated_at = now()
            """,
            [
                settings.name, settings.callbackURL, settings.guildID, settings.clientID, settings.clientSecretSealed.map(ByteA.init),
                settings.botTokenSealed.map(ByteA.init), settings.inviteURL, settings.nicknameTemplate, actor,
            ])
    }
}
