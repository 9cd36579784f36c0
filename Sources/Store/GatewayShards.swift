import Foundation

/// Where a shard's gateway session can be resumed from, as the bot that held the shard last saved it, with the
/// facts of the READY that started it (a bot that resumes the session gets no READY of its own).
public struct SavedGatewaySession: Sendable, Equatable {
    public let sessionID: String
    public let resumeURL: String
    /// The last dispatch sequence number saved; a smaller one than the session reached only replays more.
    public let sequence: Int?
    public let botUserID: String
    public let applicationID: String?
    public let guildIDs: [String]

    public init(sessionID: String, resumeURL: String, sequence: Int?, botUserID: String, applicationID: String?, guildIDs: [String]) {
        self.sessionID = sessionID
        self.resumeURL = resumeURL
        self.sequence = sequence
        self.botUserID = botUserID
        self.applicationID = applicationID
        self.guildIDs = guildIDs
    }
}

/// What the bots share about the gateway (one database serves one bot application):
/// - who holds which shard: a session-level advisory lock `(shardLocks, shard_id)` on the holder's own
///   connection, which PostgreSQL frees when that connection ends (the process died, or its host);
/// - which bots are running: each holds `(botLocks, its key)` on the same connection, so the live bots are
///   the holders of such locks and a shard's fair share is computed from them;
/// - the session each shard runs (`gateway_shards`), for the bot taking the shard over to resume;
/// - when a session last started in each rate-limit bucket (`gateway_identify_buckets`).
///
/// The locks belong to the connection: a connection that reconnected behind the caller's back holds none,
/// which ``ownLocks()`` shows.
public struct GatewayShardStore {
    static let shardLocks = 72_445_010
    static let botLocks = 72_445_011

    let db: PostgresConnection
    public init(_ db: PostgresConnection) { self.db = db }

    /// The locks this connection holds: whether the bot is registered, and its shards.
    public func ownLocks() throws(StoreError) -> (registered: Bool, shards: Set<Int>) {
        let rows = try db.query(
            """
            SELECT classid::bigint AS space, objid::bigint AS key FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND pid = pg_backend_pid()
                AND classid::bigint IN ($1, $2)
            """, [Self.shardLocks, Self.botLocks]
        ).rows
        var registered = false
        var shards: Set<Int> = []
        for row in rows {
            if try row.int("space") == Self.botLocks { registered = true } else { shards.insert(try row.int("key")) }
        }
        return (registered, shards)
    }

    /// Registers the bot as running under `key` on this connection, and makes PostgreSQL notice within about
    /// 20 s that the connection's peer is gone (a host that vanished without closing it), so that its locks are
    /// freed then rather than after the kernel's two-hour keepalive.
    public func register(key: Int) throws(StoreError) {
        try db.execute(
            script:
                "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3; SET tcp_user_timeout = 15000")
        try db.query("SELECT pg_try_advisory_lock($1, $2)", [Self.botLocks, key])
    }

    /// How many bots are registered in this database, this one included.
    public func liveBots() throws(StoreError) -> Int {
        try db.query(
            """
            SELECT count(*)::int AS n FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = $1
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, [Self.botLocks]
        ).first?.int("n") ?? 0
    }

    /// Takes the shard's lock if no other bot holds it. Call it only for shards ``ownLocks()`` does not list:
    /// advisory locks count, and one taken twice needs two releases.
    public func tryHold(shard: Int) throws(StoreError) -> Bool {
        try db.query("SELECT pg_try_advisory_lock($1, $2) AS held", [Self.shardLocks, shard]).first?.bool("held") ?? false
    }

    public func release(shard: Int) throws(StoreError) {
        try db.query("SELECT pg_advisory_unlock($1, $2)", [Self.shardLocks, shard])
    }

    /// Records the shard's session (nil: it ended, the next holder identifies) and who runs it, when this
    /// connection holds the shard's lock: a bot that lost the shard cannot overwrite its new holder's session.
    /// Returns whether it was recorded.
    @discardableResult
    public func save(shard: Int, of count: Int, session: SavedGatewaySession?, heldBy: String) throws(StoreError) -> Bool {
        try db.query(
            """
            INSERT INTO gateway_shards (
                shard_id, shard_count, session_id, resume_url, sequence, bot_user_id, application_id, guild_ids, held_by, updated_at)
            SELECT $1::int, $2::int, $3::text, $4::text, $5::bigint, $6::text, $7::text, string_to_array($8::text, ','), $9::text, now()
            WHERE EXISTS (
                SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND pid = pg_backend_pid()
                    AND classid::bigint = $10::bigint AND objid::bigint = $1::int)
            ON CONFLICT (shard_id) DO UPDATE SET shard_count = EXCLUDED.shard_count, session_id = EXCLUDED.session_id,
                resume_url = EXCLUDED.resume_url, sequence = EXCLUDED.sequence, bot_user_id = EXCLUDED.bot_user_id,
                application_id = EXCLUDED.application_id, guild_ids = EXCLUDED.guild_ids, held_by = EXCLUDED.held_by,
                updated_at = now()
            """,
            [
                shard, count, session?.sessionID, session?.resumeURL, session?.sequence, session?.botUserID, session?.applicationID,
                session?.guildIDs.joined(separator: ","), heldBy, Self.shardLocks,
            ]
        ).affectedRows == 1
    }

    /// The session last saved for the shard, when it was one of `count` shards.
    public func session(shard: Int, of count: Int) throws(StoreError) -> SavedGatewaySession? {
        guard
            let row = try db.query(
                """
                SELECT session_id, resume_url, sequence, bot_user_id, application_id, array_to_string(guild_ids, ',') AS guild_ids
                FROM gateway_shards WHERE shard_id = $1 AND shard_count = $2
                """, [shard, count]
            ).first, let sessionID = row["session_id"], let resumeURL = row["resume_url"], let botUserID = row["bot_user_id"]
        else { return nil }
        return SavedGatewaySession(
            sessionID: sessionID, resumeURL: resumeURL, sequence: row.optionalInt("sequence"), botUserID: botUserID,
            applicationID: row["application_id"], guildIDs: (row["guild_ids"] ?? "").split(separator: ",").map(String.init))
    }

    /// Claims the bucket's identify slot when no session started in it within `window`; otherwise returns
    /// how long until the slot frees.
    public func claimIdentify(bucket: Int, window: Duration) throws(StoreError) -> Duration? {
        let milliseconds = Int(window.components.seconds * 1000 + window.components.attoseconds / 1_000_000_000_000_000)
        let claimed = try db.query(
            """
            INSERT INTO gateway_identify_buckets (rate_limit_key, identified_at) VALUES ($1, clock_timestamp())
            ON CONFLICT (rate_limit_key) DO UPDATE SET identified_at = clock_timestamp()
            WHERE gateway_identify_buckets.identified_at <= clock_timestamp() - make_interval(secs => $2::float8 / 1000)
            RETURNING rate_limit_key
            """, [bucket, milliseconds])
        guard claimed.rows.isEmpty else { return nil }
        let wait = try db.query(
            """
            SELECT greatest(0, (extract(epoch FROM identified_at - clock_timestamp()) * 1000)::int + $2) AS wait_ms
            FROM gateway_identify_buckets WHERE rate_limit_key = $1
            """, [bucket, milliseconds]
        ).first?.int("wait_ms")
        return .milliseconds(max(wait ?? 0, 10))
    }
}
