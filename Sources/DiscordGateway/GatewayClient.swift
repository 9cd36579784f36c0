import DiscordKit
import Foundation
import JSONSupport
import Logging
import NIOWebSocket
import ProcessSupport
import Synchronization
import WSClient

/// Where and how to connect.
public struct GatewayConfiguration: Sendable {
    /// The gateway URL from `GET /gateway/bot` or `DISCORD_GATEWAY_URL`.
    public var url: String
    /// The bot token, without the `Bot ` prefix.
    public var token: String
    public var intents: GatewayIntents
    /// The shard to identify as; nil for an unsharded session.
    public var shard: GatewayShard?
    /// A session to resume first, which another process ran.
    public var resumeFrom: GatewayResumePoint?
    /// Ties to the other processes of the same bot, when it runs in several.
    public var coordinator: (any GatewayCoordinator)?

    public init(
        url: String, token: String, intents: GatewayIntents, shard: GatewayShard? = nil, resumeFrom: GatewayResumePoint? = nil,
        coordinator: (any GatewayCoordinator)? = nil
    ) {
        self.url = url
        self.token = token
        self.intents = intents
        self.shard = shard
        self.resumeFrom = resumeFrom
        self.coordinator = coordinator
    }
}

/// Why `send` failed.
public enum GatewayError: Error, CustomStringConvertible {
    case notConnected

    public var description: String {
        switch self {
        case .notConnected: return "the gateway session is not connected"
        }
    }
}

/// One bot's gateway session over a NIO WebSocket (swift-websocket's `WSClient`; TLS for `wss://`).
///
/// `run()` connects, identifies, and then keeps the session alive: heartbeats with the initial jitter,
/// RESUME on `resume_gateway_url` after a drop, a resumable close, op 7 or a missed ACK; a fresh IDENTIFY
/// after INVALID_SESSION(false) or 4007/4009; exponential backoff between failed attempts (capped at a
/// minute, with jitter), with one log line per attempt that says what failed and when the next try is.
/// It returns within ``closeGrace`` of `stop()`, whatever the connection is doing, and throws a
/// ``GatewayFatalError`` when Discord refuses the bot for good (4004, 4014…). With a coordinator, each
/// IDENTIFY waits for its bucket's slot and the client reports where its session stands, so that another
/// process can resume it.
public final class GatewayClient: Sendable {
    private struct Session: Sendable {
        let ready: GatewayReady
        var id: String { ready.sessionID }
        var resumeURL: String { ready.resumeURL }
    }

    private struct State: Sendable {
        var session: Session?
        /// The live connection's writer, once the session is ready on it.
        var writer: WebSocketOutboundWriter?
        /// The connection attempt in progress.
        var attempt: GatewayAttempt?
        var latency: Duration?
    }

    static let maxMessageSize = 64 << 20
    /// How long `stop()` waits for the close handshake before abandoning the connection.
    static let closeGrace = Duration.seconds(3)

    private let configuration: GatewayConfiguration
    private let handler: any GatewayEventHandler
    private let logger: Logger
    private let state = Mutex(State())
    private let stopped = Latch()
    /// Whether `stop` leaves the session resumable, for another process to resume.
    private let handsOver = Atomic<Bool>(false)
    /// The last dispatch sequence number (−1: none yet); read by the heartbeat task.
    private let sequence = Atomic<Int>(-1)
    /// When the coordinator was last told the sequence number.
    private let sequenceReported = Mutex<ContinuousClock.Instant>(.now)

    public init(configuration: GatewayConfiguration, handler: any GatewayEventHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        var logger = logger
        if let shard = configuration.shard { logger[metadataKey: "shard"] = "\(shard)" }
        self.logger = logger
        if let point = configuration.resumeFrom {
            state.withLock { $0.session = Session(ready: point.ready) }
            sequence.store(point.sequence ?? -1, ordering: .relaxed)
        }
    }

    /// The round trip of the last heartbeat, once one was acknowledged.
    public var latency: Duration? { state.withLock { $0.latency } }

    /// Sends a payload on the live session (Request Guild Members, presence updates).
    public func send(_ payload: GatewayPayload) async throws {
        guard let writer = state.withLock({ $0.writer }) else { throw GatewayError.notConnected }
        try await writer.write(.text(payload.text))
    }

    /// Ends the session with a 1000 close, which ends it on Discord's side too (the bot shows offline),
    /// and makes `run()` return: at once when it is backing off or still connecting, else once the close
    /// handshake is done or ``closeGrace`` has passed. Handing over, it tells the coordinator where the session
    /// stands and closes with 4000 instead, which leaves the session for another process to resume.
    public func stop(handingOver: Bool = false) async {
        handsOver.store(handingOver, ordering: .relaxed)
        if handingOver { reportSession(always: true) }
        stopped.open()
        await state.withLock { $0.attempt }?.close(code: stopCode, grace: Self.closeGrace)
    }

    /// The close a stop sends.
    private var stopCode: WebSocketErrorCode {
        handsOver.load(ordering: .relaxed) ? .unknown(4000) : .normalClosure
    }

    public func run() async throws(GatewayFatalError) {
        var backoff = ReconnectBackoff()
        var generator = SystemRandomNumberGenerator()
        var delay = backoff.nextDelay(using: &generator)
        while true {
            if delay > .zero, await stopped.wait(until: .now + delay) { break }
            let session = state.withLock { $0.session }
            if session == nil, let coordinator = configuration.coordinator, !(await identifySlot(from: coordinator)) { break }
            let url = GatewayURL.connection(session?.resumeURL ?? configuration.url)
            GatewayMetrics.entered(.connecting)
            guard let outcome = await attempt(url: url, resuming: session) else { break }
            GatewayMetrics.entered(.disconnected)
            state.withLock { $0.writer = nil }
            await handler.handle(.disconnected)
            if outcome.becameReady { backoff.succeeded() }
            guard !stopped.isOpen else { break }
            let decision = decide(outcome.end)
            if case .stop(let error) = decision { throw error }
            delay = backoff.nextDelay(using: &generator)
            if decision == .identify {
                state.withLock { $0.session = nil }
                sequence.store(-1, ordering: .relaxed)
                configuration.coordinator?.sessionChanged(nil)
                // Discord advises waiting 1–5 s before identifying after an invalidated session.
                if case .invalidSession = outcome.end { delay = max(delay, .milliseconds(Int.random(in: 1000...5000))) }
            }
            let then =
                state.withLock { $0.session } != nil ? "resuming the session" : decision == .identify ? "identifying anew" : "identifying"
            logger.log(
                level: outcome.becameReady ? .info : .warning,
                "gateway connection \(outcome.end.isFailure ? "failed" : "ended") (\(outcome.end.summary)); next try \(delay.retryText), \(then)",
                metadata: ["url": "\(url)", "attempt": "\(backoff.failures)", "retry_in_ms": "\(delay.wholeMilliseconds)"])
        }
        GatewayMetrics.entered(.disconnected)
        logger.info("gateway session closed")
    }

    /// Waits for the coordinator's leave to identify; false when stopped meanwhile.
    private func identifySlot(from coordinator: any GatewayCoordinator) async -> Bool {
        while true {
            let wait = await coordinator.identifyDelay()
            guard wait > .zero else { return !stopped.isOpen }
            logger.debug("waiting for the identify slot of this shard's bucket", metadata: ["wait_ms": "\(wait.wholeMilliseconds)"])
            if await stopped.wait(until: .now + wait) { return false }
        }
    }

    /// Tells the coordinator where the session stands; `always` at READY and RESUMED, else once a second at most.
    private func reportSession(always: Bool) {
        guard let coordinator = configuration.coordinator, let session = state.withLock({ $0.session }) else { return }
        let now = ContinuousClock.now
        let due = sequenceReported.withLock { last in
            guard always || now - last >= .seconds(1) else { return false }
            last = now
            return true
        }
        if due { coordinator.sessionChanged(GatewayResumePoint(ready: session.ready, sequence: lastSequence)) }
    }

    private func decide(_ end: GatewayAttempt.End) -> GatewayCloseDecision {
        switch end {
        case .invalidSession(let resumable):
            return resumable ? .resume : .identify
        case .reconnectRequested, .zombie, .failed:
            return .resume
        case .closed(let code):
            return GatewayCloseCode.decision(for: code, intents: configuration.intents)
        }
    }

    /// One connection attempt on a task of its own, which `stop()` can abandon; nil when stopped.
    private func attempt(url: String, resuming session: Session?) async -> GatewayAttempt.Outcome? {
        let attempt = GatewayAttempt()
        let started = state.withLock { state in
            guard !stopped.isOpen else { return false }
            state.attempt = attempt
            return true
        }
        guard started else { return nil }
        attempt.start { await self.connect(url: url, attempt: attempt, resuming: session) }
        await attempt.ended.wait()
        state.withLock { $0.attempt = nil }
        return attempt.outcome
    }

    /// One WebSocket connection, from the upgrade to the close.
    private func connect(url: String, attempt: GatewayAttempt, resuming session: Session?) async -> GatewayAttempt.Outcome {
        let progress = Mutex<(end: GatewayAttempt.End?, upgraded: Bool, ready: Bool)>((nil, false, false))
        var closeCode: UInt16?
        var failure = "the server did not upgrade to a WebSocket"
        do {
            let close = try await WebSocketClient.connect(
                url: url,
                configuration: WebSocketClientConfiguration(maxFrameSize: Self.maxMessageSize, closeTimeout: .seconds(2)),
                logger: logger
            ) { inbound, outbound, _ in
                progress.withLock { $0.upgraded = true }
                attempt.upgraded(outbound)
                try await self.closeIfStopping(outbound)
                let end = try await self.converse(inbound: inbound, outbound: outbound, resuming: session) {
                    progress.withLock { $0.ready = true }
                }
                progress.withLock { $0.end = end }
            }
            closeCode = close.map { UInt16(webSocketErrorCode: $0.closeCode) }
        } catch {
            failure = "\(error)"
        }
        return progress.withLock { progress in
            switch progress.end {
            case .closed?, nil:
                let end: GatewayAttempt.End = progress.upgraded ? .closed(code: closeCode) : .failed(failure)
                return GatewayAttempt.Outcome(end: end, becameReady: progress.ready)
            case let end?:
                return GatewayAttempt.Outcome(end: end, becameReady: progress.ready)
            }
        }
    }

    /// Reads payloads until the connection ends, with the heartbeat running beside once HELLO came.
    private func converse(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, resuming session: Session?,
        onReady: @escaping @Sendable () -> Void
    ) async throws -> GatewayAttempt.End {
        let heartbeat = Heartbeat()
        let (hellos, helloSink) = AsyncStream.makeStream(of: Duration.self)
        return try await withThrowingTaskGroup(of: GatewayAttempt.End.self) { group in
            group.addTask {
                defer { helloSink.finish() }
                return try await self.read(inbound, outbound, session: session, heartbeat: heartbeat, hello: helloSink, onReady: onReady)
            }
            group.addTask {
                for await interval in hellos {
                    return try await self.beat(every: interval, outbound: outbound, heartbeat: heartbeat)
                }
                return .closed(code: nil)
            }
            let end = try await group.next() ?? .closed(code: nil)
            group.cancelAll()
            return end
        }
    }

    private func read(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, session: Session?,
        heartbeat: Heartbeat, hello: AsyncStream<Duration>.Continuation, onReady: @Sendable () -> Void
    ) async throws -> GatewayAttempt.End {
        for try await message in inbound.messages(maxSize: Self.maxMessageSize) {
            guard case .text(let text) = message, let payload = GatewayPayload(text: text) else {
                logger.warning("ignoring a gateway message that is not a JSON payload")
                continue
            }
            switch payload.opcode {
            case .dispatch:
                if let number = payload.sequence {
                    sequence.store(number, ordering: .relaxed)
                    reportSession(always: false)
                }
                guard let event = payload.event else { continue }
                switch event {
                case "READY":
                    guard let ready = GatewayReady(payload.data) else {
                        logger.error("READY without session_id, resume_gateway_url or user")
                        continue
                    }
                    state.withLock { state in
                        state.session = Session(ready: ready)
                        state.writer = outbound
                    }
                    onReady()
                    GatewayMetrics.entered(.connected)
                    reportSession(always: true)
                    logger.info(
                        "gateway session ready", metadata: ["session_id": "\(ready.sessionID)", "guilds": "\(ready.guildIDs.count)"])
                    await handler.handle(.ready(ready))
                    try await closeIfStopping(outbound)
                case "RESUMED":
                    guard
                        let ready = state.withLock({ state in
                            state.writer = outbound; return state.session?.ready
                        })
                    else { continue }
                    onReady()
                    GatewayMetrics.entered(.connected)
                    reportSession(always: true)
                    logger.info("gateway session resumed", metadata: ["sequence": "\(sequence.load(ordering: .relaxed))"])
                    await handler.handle(.resumed(ready))
                    try await closeIfStopping(outbound)
                default:
                    await handler.handle(.dispatch(event, payload.data))
                }
            case .hello:
                let interval = payload.data["heartbeat_interval"]?.integer ?? 41_250
                hello.yield(.milliseconds(max(interval, 100)))
                try await outbound.write(.text(handshake(resuming: session).text))
            case .heartbeat:
                try await outbound.write(.text(GatewayPayload.heartbeat(lastSequence: lastSequence).text))
            case .heartbeatAck:
                if let latency = heartbeat.acknowledged() {
                    state.withLock { $0.latency = latency }
                    GatewayMetrics.acknowledged(latency: latency)
                }
            case .reconnect:
                try? await outbound.close(.unknown(4000), reason: "reconnecting")
                return .reconnectRequested
            case .invalidSession:
                let resumable = payload.data.bool ?? false
                try? await outbound.close(.unknown(4000), reason: "session invalidated")
                return .invalidSession(resumable: resumable)
            default:
                continue
            }
        }
        return .closed(code: nil)
    }

    private func handshake(resuming session: Session?) -> GatewayPayload {
        if let session {
            logger.debug(
                "resuming the gateway session",
                metadata: ["session_id": "\(session.id)", "sequence": "\(lastSequence.map(String.init) ?? "none")"])
            return .resume(token: configuration.token, sessionID: session.id, sequence: lastSequence)
        }
        logger.debug("identifying", metadata: ["intents": "\(configuration.intents)"])
        return .identify(token: configuration.token, intents: configuration.intents, shard: configuration.shard)
    }

    private var lastSequence: Int? {
        let value = sequence.load(ordering: .relaxed)
        return value < 0 ? nil : value
    }

    private func closeIfStopping(_ outbound: WebSocketOutboundWriter) async throws {
        if stopped.isOpen { try await outbound.close(stopCode, reason: "shutting down") }
    }

    /// Heartbeats: the first after `interval × jitter`, then every `interval`. Ends the connection as a
    /// zombie, closing with 4000 so the session stays resumable, when the previous beat got no ACK.
    private func beat(every interval: Duration, outbound: WebSocketOutboundWriter, heartbeat: Heartbeat) async throws -> GatewayAttempt.End
    {
        try await Task.sleep(for: interval * Double.random(in: 0..<1))
        while true {
            guard heartbeat.send() else {
                try? await outbound.close(.unknown(4000), reason: "heartbeat ACK missed")
                return .zombie
            }
            try await outbound.write(.text(GatewayPayload.heartbeat(lastSequence: lastSequence).text))
            try await Task.sleep(for: interval)
        }
    }
}

/// The heartbeat's bookkeeping for one connection: whether the last beat was acknowledged, and when it left.
final class Heartbeat: Sendable {
    private let pending = Mutex<ContinuousClock.Instant?>(nil)

    /// Records a beat about to be sent; false when the previous one is still unacknowledged.
    func send() -> Bool {
        pending.withLock { sentAt in
            guard sentAt == nil else { return false }
            sentAt = .now
            return true
        }
    }

    /// Records an ACK; returns the round trip.
    func acknowledged() -> Duration? {
        pending.withLock { sentAt in
            defer { sentAt = nil }
            return sentAt.map { .now - $0 }
        }
    }
}

extension Duration {
    public var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// When a retry after this delay happens, for log lines: "now", "in 4.2 s".
    public var retryText: String {
        guard self > .zero else { return "now" }
        let tenths = (wholeMilliseconds + 50) / 100
        return "in \(tenths / 10).\(tenths % 10) s"
    }
}
