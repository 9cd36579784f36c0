/*
 * The reference of `make bench` (docs/BENCHMARKS.md): GET /api/staff/roster/ as a plain C libfcgi + libpq
 * FastCGI app would serve it. The same query as guildgate-web (Sources/Store/Staff.swift, withRosterRows,
 * with a guild), the same JSON written by hand into one buffer (the same escapes as JSONByteWriter), the
 * same bearer token check. N threads, each with its own FCGX_Request and PGconn, no accept mutex.
 * Bench only: built and run by scripts/bench, never installed.
 *
 *   cc -O2 -o roster-c roster.c -lfcgi -lpq -lpthread -I$(pg_config --includedir)
 *   ROSTER_SOCKET=/path.sock DATABASE_URL=... DISCORD_GUILD_ID=... GUILDGATE_API_TOKEN=... ROSTER_THREADS=16 ./roster-c
 */
#include <fcgiapp.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *roster_sql =
    "SELECT s.id, s.name, s.rank, s.discord_id, coalesce(p.status, 'offline'), p.custom_status, p.activity,\n"
    "       to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
    "to_char(p.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')\n"
    "FROM staff s LEFT JOIN presences p ON p.guild_id = $1 AND p.discord_id = s.discord_id\n"
    "WHERE s.active\n"
    "ORDER BY s.sort_order, s.rank, lower(s.name), s.id";

static int listen_fd;
static const char *database_url, *guild_id, *expected_authorization;

struct buffer {
    char *bytes;
    size_t count, capacity;
};

static void reserve(struct buffer *b, size_t more) {
    if (b->count + more <= b->capacity) return;
    while (b->count + more > b->capacity) b->capacity = b->capacity ? b->capacity * 2 : 65536;
    b->bytes = realloc(b->bytes, b->capacity);
    if (!b->bytes) abort();
}

static void put(struct buffer *b, const char *s, size_t n) {
    reserve(b, n);
    memcpy(b->bytes + b->count, s, n);
    b->count += n;
}

#define PUT_LITERAL(b, s) put((b), (s), sizeof(s) - 1)

/* Bytes that may need an escape: controls, ", \, <, >, and 0xE2 (the lead byte of U+2028 and U+2029). */
static unsigned char attention[256];

static void put_string(struct buffer *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0, i = 0;
    PUT_LITERAL(b, "\"");
    while (i < n) {
        unsigned char c = u[i];
        if (!attention[c]) { i++; continue; }
        char escape[8];
        size_t length = 2, width = 1;
        escape[0] = '\\';
        switch (c) {
        case '"': escape[1] = '"'; break;
        case '\\': escape[1] = '\\'; break;
        case '\n': escape[1] = 'n'; break;
        case '\r': escape[1] = 'r'; break;
        case '\t': escape[1] = 't'; break;
        case '<': memcpy(escape, "\\u003c", 6); length = 6; break;
        case '>': memcpy(escape, "\\u003e", 6); length = 6; break;
        case 0xE2:
            if (i + 2 < n && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
                memcpy(escape, u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
                length = 6;
                width = 3;
                break;
            }
            i++;
            continue;
        default:
            memcpy(escape, "\\u00", 4);
            escape[4] = hex[c >> 4];
            escape[5] = hex[c & 15];
            length = 6;
        }
        put(b, s + start, i - start);
        put(b, escape, length);
        i += width;
        start = i;
    }
    put(b, s + start, n - start);
    PUT_LITERAL(b, "\"");
}

static void put_value(struct buffer *b, PGresult *r, int row, int column, int quoted_as_is) {
    if (PQgetisnull(r, row, column)) { PUT_LITERAL(b, "null"); return; }
    const char *v = PQgetvalue(r, row, column);
    size_t n = (size_t)PQgetlength(r, row, column);
    if (quoted_as_is) {
        PUT_LITERAL(b, "\"");
        put(b, v, n);
        PUT_LITERAL(b, "\"");
    } else {
        put_string(b, v, n);
    }
}

static void respond(FCGX_Request *request, const char *status, const char *body, size_t n) {
    /* snprintf, not FCGX_FPrintF: libfcgi's own printf knows no %zu. */
    char head[256];
    int length = snprintf(head, sizeof head,
        "Status: %s\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: %zu\r\n\r\n",
        status, n);
    FCGX_PutStr(head, length, request->out);
    FCGX_PutStr(body, (int)n, request->out);
}

static void serve(FCGX_Request *request, PGconn **db, struct buffer *b) {
    const char *authorization = FCGX_GetParam("HTTP_AUTHORIZATION", request->envp);
    if (!authorization || strcmp(authorization, expected_authorization) != 0) {
        static const char refusal[] = "{\"error\":\"unauthorized\"}";
        respond(request, "401 Unauthorized", refusal, sizeof(refusal) - 1);
        return;
    }
    if (PQstatus(*db) != CONNECTION_OK) PQreset(*db);
    const char *parameters[1] = {guild_id};
    PGresult *r = PQexecParams(*db, roster_sql, 1, NULL, parameters, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        static const char failure[] = "{\"error\":\"database\"}";
        respond(request, "500 Internal Server Error", failure, sizeof(failure) - 1);
        PQclear(r);
        return;
    }
    int rows = PQntuples(r);
    b->count = 0;
    PUT_LITERAL(b, "[");
    for (int row = 0; row < rows; row++) {
        if (row > 0) PUT_LITERAL(b, ",");
        PUT_LITERAL(b, "{\"id\":");
        put(b, PQgetvalue(r, row, 0), (size_t)PQgetlength(r, row, 0));
        PUT_LITERAL(b, ",\"name\":");
        put_value(b, r, row, 1, 0);
        PUT_LITERAL(b, ",\"rank\":");
        put_value(b, r, row, 2, 0);
        PUT_LITERAL(b, ",\"discord_id\":");
        put_value(b, r, row, 3, 0);
        PUT_LITERAL(b, ",\"discord_status\":");
        put_value(b, r, row, 4, 0);
        PUT_LITERAL(b, ",\"discord_custom_status\":");
        put_value(b, r, row, 5, 0);
        PUT_LITERAL(b, ",\"discord_activity\":");
        put_value(b, r, row, 6, 0);
        PUT_LITERAL(b, ",\"discord_status_updated\":");
        put_value(b, r, row, 7, 1);
        PUT_LITERAL(b, ",\"discord_last_seen\":");
        put_value(b, r, row, 8, 1);
        PUT_LITERAL(b, "}");
    }
    PUT_LITERAL(b, "]");
    PQclear(r);
    respond(request, "200 OK", b->bytes, b->count);
}

static void *worker(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    PGconn *db = PQconnectdb(database_url);
    if (PQstatus(db) != CONNECTION_OK) {
        fprintf(stderr, "roster-c: %s", PQerrorMessage(db));
        exit(1);
    }
    struct buffer b = {0};
    while (FCGX_Accept_r(&request) >= 0) serve(&request, &db, &b);
    return NULL;
}

static void stop(int signal_number) {
    (void)signal_number;
    _exit(0);
}

static const char *required(const char *name) {
    const char *value = getenv(name);
    if (!value || !*value) {
        fprintf(stderr, "roster-c: set %s\n", name);
        exit(2);
    }
    return value;
}

int main(void) {
    const char *socket_path = required("ROSTER_SOCKET");
    database_url = required("DATABASE_URL");
    guild_id = required("DISCORD_GUILD_ID");
    const char *token = required("GUILDGATE_API_TOKEN");
    int threads = atoi(getenv("ROSTER_THREADS") ? getenv("ROSTER_THREADS") : "16");
    char *authorization = malloc(strlen(token) + 8);
    sprintf(authorization, "Bearer %s", token);
    expected_authorization = authorization;
    for (int c = 0; c < 256; c++)
        attention[c] = c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == 0xE2;

    /* Our own SIGTERM before FCGX_Init, which would otherwise only set a flag (fastcgi-perf.md 1.5). */
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    signal(SIGPIPE, SIG_IGN);
    FCGX_Init();
    listen_fd = FCGX_OpenSocket(socket_path, 128);
    if (listen_fd < 0) {
        fprintf(stderr, "roster-c: cannot listen on %s\n", socket_path);
        return 1;
    }
    chmod(socket_path, 0666);
    pthread_t ids[256];
    if (threads < 1 || threads > 256) threads = 16;
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
