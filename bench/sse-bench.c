/*
 * sse-bench: holds many Server-Sent Events subscribers of GuildGate's roster stream and measures how long a
 * PRESENCE_UPDATE pushed through discord-sandbox takes to reach each of them (scripts/bench, docs/BENCHMARKS.md).
 *
 *   sse-bench --port P --token T --sandbox-port S --user DISCORD_ID [--path /api/staff/roster/events]
 *             [--subscribers 1000] [--rounds 20] [--gap-ms 300] [--hold-seconds 0]
 *
 * Connects every subscriber to 127.0.0.1:P (Authorization: Bearer T), waits for each response head, then per
 * round pushes a new status for the member through the sandbox (POST /_sandbox/gateway/presence) and times the
 * arrival, at every subscriber, of the event carrying that status. Prints one line of key=value results, then
 * (with --hold-seconds) "holding", keeps every subscriber for that long while reading, and prints how many are
 * still connected. One thread, epoll; bench only, not shipped.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUFFER 16384

struct subscriber {
    int fd;
    int status;      /* HTTP status once the head is in, else 0 */
    int closed;
    int got;         /* received this round's event */
    size_t used;
    char buffer[BUFFER];
};

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) { close(fd); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int send_all(int fd, const char *text, size_t length) {
    while (length > 0) {
        ssize_t sent = send(fd, text, length, MSG_NOSIGNAL);
        if (sent <= 0) return -1;
        text += sent;
        length -= (size_t)sent;
    }
    return 0;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *expected_user;
static char expected_status[32];
static double round_start;
static double *latencies;
static size_t latency_count;
static int round_active;
static int received_this_round;

/* Consumes complete response heads and events from the subscriber's buffer. */
static void consume(struct subscriber *s) {
    char *start = s->buffer;
    char *end = s->buffer + s->used;
    if (s->status == 0) {
        char *head_end = memmem(start, (size_t)(end - start), "\r\n\r\n", 4);
        if (!head_end) return;
        int status = 0;
        if (sscanf(start, "HTTP/1.%*d %d", &status) != 1) status = -1;
        s->status = status;
        start = head_end + 4;
    }
    char *event_end;
    while ((event_end = memmem(start, (size_t)(end - start), "\n\n", 2)) != NULL) {
        *event_end = 0;
        if (round_active && !s->got && strstr(start, expected_user) && strstr(start, expected_status)) {
            s->got = 1;
            latencies[latency_count++] = now_ms() - round_start;
            received_this_round++;
        }
        start = event_end + 2;
    }
    s->used = (size_t)(end - start);
    memmove(s->buffer, start, s->used);
    if (s->used == BUFFER) s->used = 0; /* an event larger than the buffer: not ours */
}

static void pump(int epoll, struct subscriber *subscribers, int timeout_ms) {
    struct epoll_event ready[256];
    int count = epoll_wait(epoll, ready, 256, timeout_ms);
    for (int i = 0; i < count; i++) {
        struct subscriber *s = &subscribers[ready[i].data.u32];
        ssize_t got = recv(s->fd, s->buffer + s->used, BUFFER - s->used, 0);
        if (got <= 0) {
            if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                epoll_ctl(epoll, EPOLL_CTL_DEL, s->fd, NULL);
                close(s->fd);
                s->closed = 1;
            }
            continue;
        }
        s->used += (size_t)got;
        consume(s);
    }
}

/* Pushes a PRESENCE_UPDATE through the sandbox; the caller closes the socket once the round is over, so that
 * reading the sandbox's answer does not delay the subscribers' events. */
static int push_presence(int sandbox_port, const char *user, const char *status) {
    char body[512], request[1024];
    int body_length = snprintf(body, sizeof body,
        "{\"user_id\":\"%s\",\"status\":\"%s\",\"activities\":[],\"client_status\":{\"desktop\":\"%s\"}}", user, status, status);
    int length = snprintf(request, sizeof request,
        "POST /_sandbox/gateway/presence HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: %d\r\nConnection: close\r\n\r\n%s", body_length, body);
    int fd = connect_to(sandbox_port);
    if (fd < 0 || send_all(fd, request, (size_t)length) != 0) {
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv) {
    int port = 0, sandbox_port = 0, count = 1000, rounds = 20, gap_ms = 300, hold_seconds = 0;
    const char *token = "", *path = "/api/staff/roster/events", *user = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--token")) token = argv[i + 1];
        else if (!strcmp(argv[i], "--path")) path = argv[i + 1];
        else if (!strcmp(argv[i], "--subscribers")) count = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--sandbox-port")) sandbox_port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--user")) user = argv[i + 1];
        else if (!strcmp(argv[i], "--rounds")) rounds = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--gap-ms")) gap_ms = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--hold-seconds")) hold_seconds = atoi(argv[i + 1]);
        else { fprintf(stderr, "sse-bench: unknown argument %s\n", argv[i]); return 2; }
    }
    if (!port || !sandbox_port || !user || count < 1 || rounds < 1) {
        fprintf(stderr, "usage: sse-bench --port P --token T --sandbox-port S --user ID [--subscribers N] [--rounds R]\n");
        return 2;
    }
    char user_field[96];
    snprintf(user_field, sizeof user_field, "\"discord_id\":\"%s\"", user);
    expected_user = user_field;
    struct subscriber *subscribers = calloc((size_t)count, sizeof *subscribers);
    latencies = calloc((size_t)count * (size_t)rounds, sizeof *latencies);
    int epoll = epoll_create1(0);
    char request[1024];
    int request_length = snprintf(request, sizeof request,
        "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer %s\r\n\r\n", path, token);

    double connect_start = now_ms();
    for (int i = 0; i < count; i++) {
        struct subscriber *s = &subscribers[i];
        s->fd = connect_to(port);
        if (s->fd < 0 || send_all(s->fd, request, (size_t)request_length) != 0) {
            fprintf(stderr, "sse-bench: subscriber %d could not connect: %s\n", i, strerror(errno));
            return 1;
        }
        fcntl(s->fd, F_SETFL, O_NONBLOCK);
        struct epoll_event interest = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, s->fd, &interest);
        if (i % 64 == 63) pump(epoll, subscribers, 0);
    }
    int admitted = 0, refused = 0;
    double deadline = now_ms() + 30000;
    while (now_ms() < deadline) {
        admitted = refused = 0;
        for (int i = 0; i < count; i++) {
            if (subscribers[i].status == 200) admitted++;
            else if (subscribers[i].status != 0 || subscribers[i].closed) refused++;
        }
        if (admitted + refused == count) break;
        pump(epoll, subscribers, 50);
    }
    double connect_ms = now_ms() - connect_start;
    if (admitted != count) {
        fprintf(stderr, "sse-bench: %d of %d subscribers admitted (%d refused)\n", admitted, count, refused);
        return 1;
    }

    static const char *statuses[] = {"idle", "dnd", "online"};
    int sandbox = push_presence(sandbox_port, user, "offline"); /* warm-up: a known status before the rounds */
    if (sandbox >= 0) close(sandbox);
    double settle = now_ms() + 1500;
    while (now_ms() < settle) pump(epoll, subscribers, 50);

    int missing = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < count; i++) subscribers[i].got = 0;
        snprintf(expected_status, sizeof expected_status, "\"discord_status\":\"%s\"", statuses[r % 3]);
        received_this_round = 0;
        round_active = 1;
        round_start = now_ms();
        sandbox = push_presence(sandbox_port, user, statuses[r % 3]);
        if (sandbox < 0) { fprintf(stderr, "sse-bench: cannot reach the sandbox\n"); return 1; }
        double round_deadline = round_start + 5000;
        while (received_this_round < admitted && now_ms() < round_deadline) pump(epoll, subscribers, 20);
        round_active = 0;
        close(sandbox);
        missing += admitted - received_this_round;
        double gap = now_ms() + gap_ms;
        while (now_ms() < gap) pump(epoll, subscribers, 20);
    }
    qsort(latencies, latency_count, sizeof *latencies, compare);
    double p50 = latency_count ? latencies[latency_count / 2] : -1;
    double p99 = latency_count ? latencies[(size_t)(latency_count * 0.99) < latency_count ? (size_t)(latency_count * 0.99) : latency_count - 1] : -1;
    double max = latency_count ? latencies[latency_count - 1] : -1;
    printf("held=%d connect_s=%.2f rounds=%d events=%zu missing=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", admitted,
        connect_ms / 1000, rounds, latency_count, missing, p50, p99, max);
    fflush(stdout);
    if (hold_seconds > 0) {
        printf("holding\n");
        fflush(stdout);
        double hold_until = now_ms() + hold_seconds * 1000.0;
        while (now_ms() < hold_until) pump(epoll, subscribers, 100);
        int open = 0;
        for (int i = 0; i < count; i++) open += !subscribers[i].closed;
        printf("still_held=%d\n", open);
    }
    return 0;
}
