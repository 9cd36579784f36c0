import Logging

/// A numbered schema change, applied once, in its own transaction.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
}

/// The schema history. Append new migrations; never edit an applied one.
public enum Migrations {
    public static let all: [Migration] = [
        Migration(
            version: 1, name: "users, web sessions, oauth states, admins",
            sql: """
                CREATE TABLE users (
                    id bigserial PRIMARY KEY,
                    name text NOT NULL,
                    email text NOT NULL,
                    personality text NOT NULL,
                    communication_channel text NOT NULL,
                    verified boolean NOT NULL DEFAULT false,
                    discord_id text UNIQUE,
                    discord_username text,
                    verification_token_hash bytea UNIQUE,
                    verification_token_expires_at timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE UNIQUE INDEX users_email_key ON users (lower(email));

                CREATE TABLE admins (
                    id bigserial PRIMARY KEY,
                    username text NOT NULL UNIQUE,
                    password_hash text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );

                CREATE TABLE web_sessions (
                    id_hash bytea PRIMARY KEY,
                    csrf_token text NOT NULL,
                    user_id bigint REFERENCES users(id) ON DELETE CASCADE,
                    admin_id bigint REFERENCES admins(id) ON DELETE CASCADE,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL
                );
                CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);

                CREATE TABLE oauth_states (
                    state_hash bytea PRIMARY KEY,
                    session_id_hash bytea NOT NULL,
                    return_to text NOT NULL DEFAULT '/',
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL
                );

                CREATE TABLE login_attempts (
                    id bigserial PRIMARY KEY,
                    username text NOT NULL,
                    remote_addr text NOT NULL,
                    attempted_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX login_attempts_lookup ON login_attempts (username, attempted_at);
                CREATE INDEX login_attempts_addr ON login_attempts (remote_addr, attempted_at);
                """),
        Migration(
            version: 2, name: "staff, presence, bot heartbeat, jobs, schedules",
            sql: """
                CREATE TABLE staff (
                    id bigserial PRIMARY KEY,
                    name text NOT NULL,
                    rank text NOT NULL DEFAULT '',
                    discord_id text NOT NULL UNIQUE,
                    sort_order integer NOT NULL DEFAULT 0,
                    active boolean NOT NULL DEFAULT true,
                    user_id bigint REFERENCES users(id) ON DELETE SET NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );

                -- One row per guild member the bot has seen; status is online, idle, dnd or offline.
                CREATE TABLE presences (
                    guild_id text NOT NULL,
                    discord_id text NOT NULL,
                    status text NOT NULL DEFAULT 'offline',
                    custom_status text,
                    activity text,
                    client_status jsonb NOT NULL DEFAULT '{}',
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (guild_id, discord_id)
                );
                CREATE INDEX presences_discord_id ON presences (discord_id);

                -- Written by guildgate-bot every few seconds while its gateway session is up.
                CREATE TABLE bot_heartbeats (
                    guild_id text PRIMARY KEY,
                    session_started_at timestamptz NOT NULL,
                    latency_ms integer,
                    last_event_at timestamptz,
                    beat_at timestamptz NOT NULL DEFAULT now()
                );

                CREATE TABLE jobs (
                    id bigserial PRIMARY KEY,
                    kind text NOT NULL,
                    payload jsonb NOT NULL DEFAULT '{}',
                    state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
                    run_at timestamptz NOT NULL DEFAULT now(),
                    attempts integer NOT NULL DEFAULT 0,
                    max_attempts integer NOT NULL DEFAULT 5,
                    backoff_seconds integer NOT NULL DEFAULT 10,
                    locked_until timestamptz,
                    locked_by text,
                    last_error text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    finished_at timestamptz
                );
                CREATE INDEX jobs_due ON jobs (run_at) WHERE state IN ('queued', 'running');
                CREATE FUNCTION jobs_notify() RETURNS trigger AS $$
                BEGIN
                    PERFORM pg_notify('guildgate_jobs', NEW.kind);
                    RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER jobs_inserted AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_notify();

                CREATE TABLE schedules (
                    name text PRIMARY KEY,
                    interval_seconds integer NOT NULL CHECK (interval_seconds > 0),
                    next_run_at timestamptz NOT NULL DEFAULT now(),
                    last_run_at timestamptz,
                    enabled boolean NOT NULL DEFAULT true
                );
                INSERT INTO schedules (name, interval_seconds) VALUES ('presence.reconcile', 120);
                """),
        Migration(
            version: 3, name: "job results",
            sql: """
                -- What a succeeded job reports (counts, what it was coalesced with), shown by /api/jobs/{id}.
                ALTER TABLE jobs ADD COLUMN result jsonb;
                """),
        Migration(
            version: 4, name: "files stored on Discord",
            sql: """
                -- A file split into encrypted parts posted as Discord attachments. Only complete files are listed
                -- as such; uploading rows whose heartbeat stops (the web process died) are cleaned up by a job.
                CREATE TABLE files (
                    id bigserial PRIMARY KEY,
                    owner_user_id bigint REFERENCES users(id) ON DELETE SET NULL,
                    name text NOT NULL,
                    content_type text NOT NULL DEFAULT 'application/octet-stream',
                    size bigint NOT NULL DEFAULT 0,
                    sha256 bytea,
                    salt bytea NOT NULL,
                    part_size integer NOT NULL CHECK (part_size > 0),
                    parts integer NOT NULL DEFAULT 0,
                    state text NOT NULL DEFAULT 'uploading'
                        CHECK (state IN ('uploading', 'complete', 'failed', 'damaged', 'deleting')),
                    error text,
                    heartbeat_at timestamptz NOT NULL DEFAULT now(),
                    created_at timestamptz NOT NULL DEFAULT now(),
                    completed_at timestamptz
                );
                CREATE INDEX files_owner ON files (owner_user_id, created_at DESC);
                CREATE INDEX files_unfinished ON files (state, heartbeat_at) WHERE state <> 'complete';

                -- One encrypted part: where it is on Discord (not its CDN URL, which expires) and its digest.
                CREATE TABLE file_parts (
                    file_id bigint NOT NULL REFERENCES files(id) ON DELETE CASCADE,
                    index integer NOT NULL,
                    channel_id text NOT NULL,
                    message_id text NOT NULL,
                    attachment_id text NOT NULL,
                    size integer NOT NULL,
                    sha256 bytea NOT NULL,
                    PRIMARY KEY (file_id, index)
                );
                CREATE INDEX file_parts_message ON file_parts (channel_id, message_id);

                INSERT INTO schedules (name, interval_seconds) VALUES ('files.cleanup', 300);
                """),
        Migration(
            version: 5, name: "identity is the Discord account; pending verifications; upload reservations",
            sql: """
                -- An email is a contact detail set when a verification completes, never an identity: users who only
                -- log in with Discord have none, and an unverified email no longer sits on a user row.
                ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
                UPDATE users SET email = NULL WHERE discord_id IS NULL OR email LIKE '%@users.discord.invalid';
                ALTER TABLE users DROP COLUMN verification_token_hash, DROP COLUMN verification_token_expires_at;

                -- What an onboarding request asked for, applied to `user_id` only when the Discord account that
                -- approves it may take it.
                CREATE TABLE pending_verifications (
                    token_hash bytea PRIMARY KEY,
                    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name text NOT NULL,
                    email text NOT NULL,
                    personality text NOT NULL,
                    communication_channel text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    expires_at timestamptz NOT NULL
                );
                CREATE INDEX pending_verifications_user ON pending_verifications (user_id);
                CREATE INDEX pending_verifications_expires_at ON pending_verifications (expires_at);

                -- An OAuth state started by /discord/verify carries the verification it completes.
                ALTER TABLE oauth_states ADD COLUMN verification_token_hash bytea;
                CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);

                -- Bytes an upload in progress may still take from its owner's quota.
                ALTER TABLE files ADD COLUMN reserved bigint NOT NULL DEFAULT 0;
                """),
        Migration(
            version: 6, name: "admin panel: Discord client settings, groups and roles, guild members, audit log, schedules",
            sql: """
                -- What /admin/client saved; it overrides the environment. The client secret and the bot token are
                -- sealed with AES-GCM under a key derived from GUILDGATE_SECRET_KEY: never stored in plain text.
                CREATE TABLE client_settings (
                    id integer PRIMARY KEY CHECK (id = 1),
                    name text,
                    callback_url text,
                    guild_id text,
                    client_id text,
                    client_secret_sealed bytea,
                    bot_token_sealed bytea,
                    invite_url text,
                    nickname_template text,
                    updated_by text NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE FUNCTION client_settings_notify() RETURNS trigger AS $$
                BEGIN
                    PERFORM pg_notify('guildgate_settings', '');
                    RETURN NULL;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER client_settings_changed AFTER INSERT OR UPDATE OR DELETE ON client_settings
                    FOR EACH STATEMENT EXECUTE FUNCTION client_settings_notify();

                -- Groups of users, each mapped to at most one Discord role ("Sync groups" imports the roles).
                CREATE TABLE groups (
                    id bigserial PRIMARY KEY,
                    name text NOT NULL UNIQUE,
                    role_id text UNIQUE,
                    source text NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'discord')),
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE TABLE group_members (
                    group_id bigint NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
                    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    added_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (group_id, user_id)
                );
                CREATE INDEX group_members_user ON group_members (user_id);
                ALTER TABLE users ADD COLUMN discord_global_name text;

                -- The guild's members as last seen (gateway events, member lists): what drift is computed from.
                -- A member who left keeps their row, marked.
                CREATE TABLE guild_members (
                    guild_id text NOT NULL,
                    discord_id text NOT NULL,
                    username text,
                    global_name text,
                    nick text,
                    role_ids jsonb NOT NULL DEFAULT '[]',
                    left_at timestamptz,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (guild_id, discord_id)
                );

                -- Every change made on Discord and every admin action: who (an admin, the API token, a schedule,
                -- Discord itself), what, on whom, and how it ended.
                CREATE TABLE audit_log (
                    id bigserial PRIMARY KEY,
                    at timestamptz NOT NULL DEFAULT now(),
                    actor text NOT NULL,
                    action text NOT NULL,
                    target text,
                    detail jsonb NOT NULL DEFAULT '{}',
                    result text NOT NULL DEFAULT 'ok'
                );
                CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);

                -- A problem a run stopped on (the bot's role below a mapped role), shown on the dashboard with
                -- its fix until a run of the same kind gets past it.
                CREATE TABLE sync_problems (
                    kind text PRIMARY KEY,
                    message text NOT NULL,
                    seen_at timestamptz NOT NULL DEFAULT now()
                );

                -- Seed 004's default schedule, present from the start.
                ALTER TABLE schedules ADD COLUMN last_result text;
                INSERT INTO schedules (name, interval_seconds) VALUES
                    ('groups.verify', 300), ('nicknames.update', 604800), ('groups.remote_sync', 604800);
                """),
        Migration(
            version: 7, name: "admin panel: cancelled jobs, job and user listings",
            sql: """
                -- An admin may cancel a queued job: it stays in the table, in a state no worker claims.
                ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
                ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
                    CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'));
                -- /admin/jobs lists one state newest first; /admin/schedules shows each kind's latest job.
                CREATE INDEX jobs_state_id ON jobs (state, id DESC);
                CREATE INDEX jobs_kind_id ON jobs (kind, id DESC);
                """),
        Migration(
            version: 8, name: "chat: conversations, personalities, ordered jobs",
            sql: """
                -- One conversation with the model, owned by a Discord account: recorded by the bot in Discord
                -- (source 'discord', at most one open at a time; `reset` closes it) or exported from the app
                -- through the sync API (source 'app', with the request's Idempotency-Key).
                CREATE TABLE conversations (
                    id bigserial PRIMARY KEY,
                    discord_id text NOT NULL,
                    title text NOT NULL DEFAULT '',
                    source text NOT NULL CHECK (source IN ('discord', 'app')),
                    idempotency_key text,
                    request_hash bytea,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    closed_at timestamptz
                );
                CREATE INDEX conversations_owner ON conversations (discord_id, id DESC);
                CREATE UNIQUE INDEX conversations_idempotency ON conversations (discord_id, idempotency_key)
                    WHERE idempotency_key IS NOT NULL;
                CREATE UNIQUE INDEX conversations_open ON conversations (discord_id)
                    WHERE source = 'discord' AND closed_at IS NULL;

                CREATE TABLE conversation_messages (
                    id bigserial PRIMARY KEY,
                    conversation_id bigint NOT NULL REFERENCES conversations ON DELETE CASCADE,
                    role text NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
                    content text NOT NULL,
                    discord_message_id text,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX conversation_messages_conversation ON conversation_messages (conversation_id, id);

                -- The system prompt of each personality onboarding offers; an admin may edit them.
                CREATE TABLE chat_personalities (
                    name text PRIMARY KEY,
                    prompt text NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    updated_by text
                );
                INSERT INTO chat_personalities (name, prompt) VALUES
                    ('friendly', 'You are a friendly, warm assistant in a Discord community. Keep answers short, clear and kind.'),
                    ('loving', 'You are a caring, affectionate companion. Be gentle, encouraging and supportive; keep answers short.'),
                    ('professional', 'You are a precise, professional assistant. Answer concisely and factually, without small talk.'),
                    ('playful', 'You are a playful, witty assistant. Be light-hearted and fun, but still answer the question.');

                -- Jobs that share an ordering key run one at a time, oldest first (a user's chat replies).
                ALTER TABLE jobs ADD COLUMN ordering_key text;
                CREATE INDEX jobs_ordering_key ON jobs (ordering_key, id)
                    WHERE ordering_key IS NOT NULL AND state IN ('queued', 'running');
                """),
        Migration(
            version: 9, name: "presence history, last seen, presence cards",
            sql: """
                -- Every presence a member had, from when to when (ended_at NULL: the current one).
                CREATE TABLE presence_history (
                    id bigserial PRIMARY KEY,
                    guild_id text NOT NULL,
                    discord_id text NOT NULL,
                    status text NOT NULL,
                    custom_status text,
                    activity text,
                    started_at timestamptz NOT NULL,
                    ended_at timestamptz
                );
                CREATE INDEX presence_history_member ON presence_history (discord_id, started_at DESC);
                CREATE UNIQUE INDEX presence_history_current ON presence_history (guild_id, discord_id) WHERE ended_at IS NULL;
                CREATE INDEX presence_history_ended ON presence_history (ended_at) WHERE ended_at IS NOT NULL;
                -- When the member was last seen not offline.
                ALTER TABLE presences ADD COLUMN last_seen_at timestamptz;
                UPDATE presences SET last_seen_at = updated_at WHERE status <> 'offline';
                -- The member's public presence card (GET /api/presence/{discord_id}), off until turned on.
                ALTER TABLE staff ADD COLUMN presence_card_public boolean NOT NULL DEFAULT false;
                -- Staff members' history, written by statement triggers on presences (set-based over the whole
                -- batch the bot upserts): a change of status, custom status or activity closes the member's
                -- current row and opens another; a repeat changes nothing. Older records never reach these
                -- triggers: the upsert ignores them.
                CREATE FUNCTION presence_history_opened() RETURNS trigger AS $$
                BEGIN
                    UPDATE presence_history h SET ended_at = greatest(h.started_at, n.updated_at)
                    FROM presences_inserted n
                    WHERE h.guild_id = n.guild_id AND h.discord_id = n.discord_id AND h.ended_at IS NULL;
                    INSERT INTO presence_history (guild_id, discord_id, status, custom_status, activity, started_at)
                    SELECT n.guild_id, n.discord_id, n.status, n.custom_status, n.activity, n.updated_at
                    FROM presences_inserted n JOIN staff s ON s.discord_id = n.discord_id;
                    RETURN NULL;
                END $$ LANGUAGE plpgsql;
                CREATE FUNCTION presence_history_changed() RETURNS trigger AS $$
                BEGIN
                    UPDATE presence_history h SET ended_at = greatest(h.started_at, n.updated_at)
                    FROM presences_new n JOIN presences_old o USING (guild_id, discord_id)
                    WHERE h.guild_id = n.guild_id AND h.discord_id = n.discord_id AND h.ended_at IS NULL
                        AND (n.status, n.custom_status, n.activity) IS DISTINCT FROM (o.status, o.custom_status, o.activity);
                    INSERT INTO presence_history (guild_id, discord_id, status, custom_status, activity, started_at)
                    SELECT n.guild_id, n.discord_id, n.status, n.custom_status, n.activity, n.updated_at
                    FROM presences_new n JOIN presences_old o USING (guild_id, discord_id) JOIN staff s ON s.discord_id = n.discord_id
                    WHERE (n.status, n.custom_status, n.activity) IS DISTINCT FROM (o.status, o.custom_status, o.activity);
                    RETURN NULL;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER presence_history_inserted AFTER INSERT ON presences
                    REFERENCING NEW TABLE AS presences_inserted FOR EACH STATEMENT EXECUTE FUNCTION presence_history_opened();
                CREATE TRIGGER presence_history_updated AFTER UPDATE ON presences
                    REFERENCING OLD TABLE AS presences_old NEW TABLE AS presences_new
                    FOR EACH STATEMENT EXECUTE FUNCTION presence_history_changed();
                -- What staff members show now opens their history.
                INSERT INTO presence_history (guild_id, discord_id, status, custom_status, activity, started_at)
                SELECT p.guild_id, p.discord_id, p.status, p.custom_status, p.activity, p.updated_at
                FROM presences p JOIN staff s ON s.discord_id = p.discord_id;
                -- Rows older than GUILDGATE_PRESENCE_HISTORY_DAYS go hourly.
                INSERT INTO schedules (name, interval_seconds) VALUES ('presence.history_prune', 3600);
                """),
        Migration(
            version: 10, name: "roster events: NOTIFY guildgate_roster on a staff member's presence change",
            sql: """
                -- The payload is the member's Discord id; guildgate-web's RosterPublisher reads the entry and
                -- publishes it to nginx (GET /api/staff/roster/events). Only staff members are on the roster.
                CREATE FUNCTION presences_notify_roster() RETURNS trigger AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM staff WHERE discord_id = NEW.discord_id AND active) THEN
                        PERFORM pg_notify('guildgate_roster', NEW.discord_id);
                    END IF;
                    RETURN NULL;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER presences_roster_inserted AFTER INSERT ON presences
                    FOR EACH ROW EXECUTE FUNCTION presences_notify_roster();
                CREATE TRIGGER presences_roster_changed AFTER UPDATE ON presences
                    FOR EACH ROW WHEN (
                        OLD.status IS DISTINCT FROM NEW.status OR OLD.custom_status IS DISTINCT FROM NEW.custom_status
                        OR OLD.activity IS DISTINCT FROM NEW.activity
                    ) EXECUTE FUNCTION presences_notify_roster();
                """),
        Migration(
            version: 11, name: "roster version",
            sql: """
                -- The roster's version, the roster API's ETag: every statement that writes staff or presences
                -- bumps it, in its own transaction, so a reader sees the new version exactly when it sees the
                -- new rows. Bumped before the statement touches rows: writers take this row's lock first and
                -- so in one order (a writer holds it until it commits; guildgate-bot writes presences from
                -- one connection).
                CREATE TABLE roster_version (
                    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
                    version bigint NOT NULL
                );
                INSERT INTO roster_version (version) VALUES (1);
                CREATE FUNCTION roster_version_bump() RETURNS trigger AS $$
                BEGIN
                    UPDATE roster_version SET version = version + 1;
                    RETURN NULL;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER staff_roster_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON staff
                    FOR EACH STATEMENT EXECUTE FUNCTION roster_version_bump();
                CREATE TRIGGER presences_roster_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON presences
                    FOR EACH STATEMENT EXECUTE FUNCTION roster_version_bump();
                """),
        Migration(
            version: 12, name: "secret key rotation: files' sealed data keys, the key of each OAuth flow",
            sql: """
                -- GUILDGATE_SECRET_KEY may list several keys, newest first. A file's data key (random for files stored
                -- from now on; for older ones the key HKDF derived from the secret key and the file's salt) is kept
                -- sealed with AES-GCM under the master key data_key_id names (a fingerprint of the key, never the key),
                -- so that `guildgate-web rotate-keys` re-seals it under a new key without touching the parts on
                -- Discord. NULL for files stored before this migration until rotate-keys seals their keys.
                ALTER TABLE files ADD COLUMN data_key_sealed bytea, ADD COLUMN data_key_id text,
                    ADD CONSTRAINT files_data_key_whole CHECK ((data_key_sealed IS NULL) = (data_key_id IS NULL));

                -- The master key an OAuth flow's PKCE verifier is derived with, so that a flow started before a
                -- rotation completes after it.
                ALTER TABLE oauth_states ADD COLUMN key_id text;
                """),
        Migration(
            version: 13, name: "gateway shards: resumable sessions and identify buckets shared by every bot",
            sql: """
                -- The session each gateway shard runs, kept by the bot holding the shard (its advisory lock) so
                -- that a bot taking the shard over resumes it. Older sequence numbers are fine: Discord replays
                -- from there. The READY facts (bot user, application, guilds) are what a RESUMED does not repeat.
                CREATE TABLE gateway_shards (
                    shard_id integer PRIMARY KEY CHECK (shard_id >= 0),
                    shard_count integer NOT NULL CHECK (shard_count > shard_id),
                    session_id text,
                    resume_url text,
                    sequence bigint,
                    bot_user_id text,
                    application_id text,
                    guild_ids text[],
                    held_by text NOT NULL,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                -- When a session last started in each rate-limit bucket (shard_id % max_concurrency): one
                -- IDENTIFY per bucket per 5 s, whichever bot sends it.
                CREATE TABLE gateway_identify_buckets (
                    rate_limit_key integer PRIMARY KEY,
                    identified_at timestamptz NOT NULL
                );
                """),
    ]

    public static var latestVersion: Int { all.last?.version ?? 0 }

    /// Applies every migration not yet applied, each in its own transaction, under an advisory lock
    /// so that two processes migrating at once do not race. Returns the versions applied.
    @discardableResult
    public static func migrate(_ db: PostgresConnection, logger: Logger) throws -> [Int] {
        try db.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var applied: [Int] = []
        for migration in all {
            let done = try db.transaction { db -> Bool in
                try db.query("SELECT pg_advisory_xact_lock(7244500001)")
                let existing = try db.query("SELECT 1 FROM schema_migrations WHERE version = $1", [migration.version])
                guard existing.rows.isEmpty else { return false }
                try db.execute(script: migration.sql)
                try db.query(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    [migration.version, migration.name])
                return true
            }
            if done {
                applied.append(migration.version)
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            }
        }
        return applied
    }

    /// The version the database is at (0 for an empty database).
    public static func currentVersion(_ db: PostgresConnection) throws(StoreError) -> Int {
        let table = try db.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        guard table.first?.bool("present") == true else { return 0 }
        return try db.query("SELECT coalesce(max(version), 0) AS version FROM schema_migrations").first?.int("version") ?? 0
    }

    /// Throws `StoreError.schemaBehind` when the database needs `migrate`.
    public static func requireCurrent(_ db: PostgresConnection) throws(StoreError) {
        let current = try currentVersion(db)
        guard current >= latestVersion else { throw .schemaBehind(current: current, required: latestVersion) }
    }
}
