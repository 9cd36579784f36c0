import DiscordKit
import Foundation
import JSONSupport
import Logging
import NIOWebSocket
import Synchronization
import WSClient

/// Where and how to connect.
public struct GatewayConfiguration: Sendable {
    /// The gateway URL from `GET /gateway/bot` or `DISCORD_GATEWAY_URL`.
    public var url: String
    /// The bot token, without the `Bot ` prefix.
    public var token: String
    public var intents: GatewayIntents

    public init(url: String, token: String, intents: GatewayIntents) {
        self.url = url
        self.token = token
        self.intents = intents
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
/// after INVALID_SESSION(false) or 4007/4009; exponential backoff between failed attempts. It returns
/// after `stop()`, and throws a ``GatewayFatalError`` when Discord refuses the bot for good (4004, 4014…).
public final class GatewayClient: Sendable {
    private struct Session: Sendable {
        let id: String
        let resumeURL: String
    }

    private struct State: Sendable {
        var session: Session?
        /// The live connection's writer, once the session is ready on it.
        var writer: WebSocketOutboundWriter?
        var stopping = false
        var latency: Duration?
    }

    /// How one connection ended.
    private enum ConnectionEnd: Sendable {
        case closed
        case reconnectRequested
        case invalidSession(resumable: Bool)
        case zombie
    }

    static let maxMessageSize = 64 << 20

    private let configuration: GatewayConfiguration
    private let handler: any GatewayEventHandler
    private let logger: Logger
    private let state = Mutex(State())
    /// The last dispatch sequence number (−1: none yet); read by the heartbeat task.
    private let sequence = Atomic<Int>(-1)

    public init(configuration: GatewayConfiguration, handler: any GatewayEventHandler, logger: Logger) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
    }

    /// The round trip of the last heartbeat, once one was acknowledged.
    public var latency: Duration? { state.withLock { $0.latency } }

    /// Sends a payload on the live session (Request Guild Members, presence updates).
    public func send(_ payload: GatewayPayload) async throws {
        guard let writer = state.withLock({ $0.writer }) else { throw GatewayError.notConnected }
        try await writer.write(.text(payload.text))
    }

    /// Closes the session with 1000, which ends it on Discord's side too (the bot shows offline).
    public func stop() async {
        let writer = state.withLock { state in
            state.stopping = true
            return state.writer
        }
        try? await writer?.close(.normalClosure, reason: "shutting down")
    }

    public func run() async throws(GatewayFatalError) {
        var backoff = ReconnectBackoff()
        var generator = SystemRandomNumberGenerator()
        while !isStopping {
            let delay = backoff.nextDelay(using: &generator)
            if delay > .zero {
                logger.info("reconnecting to the gateway", metadata: ["delay_ms": "\(delay.wholeMilliseconds)"])
                await sleepUnlessStopped(delay)
            }
            guard !isStopping else { break }
            let session = state.withLock { $0.session }
            let url = GatewayURL.connection(session?.resumeURL ?? configuration.url)
            let (end, closeCode, becameReady) = await connect(url: url, resuming: session)
            state.withLock { $0.writer = nil }
            await handler.handle(.disconnected)
            if becameReady { backoff.succeeded() }
            guard !isStopping else { break }
            switch decide(end: end, closeCode: closeCode) {
            case .resume:
                logger.info("gateway connection ended; resuming", metadata: ["close_code": "\(closeCode.map(String.init) ?? "none")"])
            case .identify:
                logger.info("gateway session ended; identifying anew", metadata: ["close_code": "\(closeCode.map(String.init) ?? "none")"])
                state.withLock { $0.session = nil }
                sequence.store(-1, ordering: .relaxed)
                if case .invalidSession = end {
                    // Discord advised waiting 1–5 s before identifying after an invalidated session.
                    await sleepUnlessStopped(.milliseconds(Int.random(in: 1000...5000)))
                }
            case .stop(let error):
                throw error
            }
        }
        logger.info("gateway session closed")
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func decide(end: ConnectionEnd?, closeCode: UInt16?) -> GatewayCloseDecision {
        switch end {
        case .invalidSession(let resumable):
            return resumable ? .resume : .identify
        case .reconnectRequested, .zombie:
            return .resume
        case .closed, nil:
            return GatewayCloseCode.decision(for: closeCode, intents: configuration.intents)
        }
    }

    private func sleepUnlessStopped(_ delay: Duration) async {
        let deadline = ContinuousClock.now + delay
        while !isStopping, ContinuousClock.now < deadline {
            try? await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
    }

    /// One WebSocket connection, from the upgrade to the close.
    private func connect(url: String, resuming session: Session?) async -> (ConnectionEnd?, UInt16?, Bool) {
        let outcome = Mutex<(end: ConnectionEnd?, ready: Bool)>((nil, false))
        var closeCode: UInt16?
        do {
            let close = try await WebSocketClient.connect(
                url: url,
                configuration: WebSocketClientConfiguration(maxFrameSize: Self.maxMessageSize, closeTimeout: .seconds(2)),
                logger: logger
            ) { inbound, outbound, _ in
                let end = try await self.converse(inbound: inbound, outbound: outbound, resuming: session) {
                    outcome.withLock { $0.ready = true }
                }
                outcome.withLock { $0.end = end }
            }
            closeCode = close.map { UInt16(webSocketErrorCode: $0.closeCode) }
        } catch {
            logger.warning("gateway connection failed", metadata: ["url": "\(url)", "error": "\(error)"])
        }
        let (end, ready) = outcome.withLock { ($0.end, $0.ready) }
        return (end, closeCode, ready)
    }

    /// Reads payloads until the connection ends, with the heartbeat running beside once HELLO came.
    private func converse(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, resuming session: Session?,
        onReady: @escaping @Sendable () -> Void
    ) async throws -> ConnectionEnd {
        let heartbeat = Heartbeat()
        let (hellos, helloSink) = AsyncStream.makeStream(of: Duration.self)
        return try await withThrowingTaskGroup(of: ConnectionEnd.self) { group in
            group.addTask {
                defer { helloSink.finish() }
                return try await self.read(inbound, outbound, session: session, heartbeat: heartbeat, hello: helloSink, onReady: onReady)
            }
            group.addTask {
                for await interval in hellos {
                    return try await self.beat(every: interval, outbound: outbound, heartbeat: heartbeat)
                }
                return .closed
            }
            let end = try await group.next() ?? .closed
            group.cancelAll()
            return end
        }
    }

    private func read(
        _ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, session: Session?,
        heartbeat: Heartbeat, hello: AsyncStream<Duration>.Continuation, onReady: @Sendable () -> Void
    ) async throws -> ConnectionEnd {
        for try await message in inbound.messages(maxSize: Self.maxMessageSize) {
            guard case .text(let text) = message, let payload = GatewayPayload(text: text) else {
                logger.warning("ignoring a gateway message that is not a JSON payload")
                continue
            }
            switch payload.opcode {
            case .dispatch:
                if let number = payload.sequence { sequence.store(number, ordering: .relaxed) }
                guard let event = payload.event else { continue }
                switch event {
                case "READY":
                    guard let ready = GatewayReady(payload.data) else {
                        logger.error("READY without session_id, resume_gateway_url or user")
                        continue
                    }
                    state.withLock { state in
                        state.session = Session(id: ready.sessionID, resumeURL: ready.resumeURL)
                        state.writer = outbound
                    }
                    onReady()
                    logger.info("gateway session ready", metadata: ["session_id": "\(ready.sessionID)", "guilds": "\(ready.guildIDs.count)"])
                    await handler.handle(.ready(ready))
                    try await closeIfStopping(outbound)
                case "RESUMED":
                    state.withLock { $0.writer = outbound }
                    onReady()
                    logger.info("gateway session resumed", metadata: ["sequence": "\(sequence.load(ordering: .relaxed))"])
                    await handler.handle(.resumed)
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
                if let latency = heartbeat.acknowledged() { state.withLock { $0.latency = latency } }
            case .reconnect:
                logger.info("the gateway asked for a reconnect (op 7)")
                try? await outbound.close(.unknown(4000), reason: "reconnecting")
                return .reconnectRequested
            case .invalidSession:
                let resumable = payload.data.bool ?? false
                logger.notice("the gateway invalidated the session (op 9)", metadata: ["resumable": "\(resumable)"])
                try? await outbound.close(.unknown(4000), reason: "session invalidated")
                return .invalidSession(resumable: resumable)
            default:
                continue
            }
        }
        return .closed
    }

    private func handshake(resuming session: Session?) -> GatewayPayload {
        if let session {
            logger.info("resuming the gateway session", metadata: ["session_id": "\(session.id)", "sequence": "\(lastSequence.map(String.init) ?? "none")"])
            return .resume(token: configuration.token, sessionID: session.id, sequence: lastSequence)
        }
        logger.info("identifying", metadata: ["intents": "\(configuration.intents)"])
        return .identify(token: configuration.token, intents: configuration.intents)
    }

    private var lastSequence: Int? {
        let value = sequence.load(ordering: .relaxed)
        return value < 0 ? nil : value
    }

    private func closeIfStopping(_ outbound: WebSocketOutboundWriter) async throws {
        if isStopping { try await outbound.close(.normalClosure, reason: "shutting down") }
    }

    /// Heartbeats: the first after `interval × jitter`, then every `interval`. Ends the connection as a
    /// zombie, closing with 4000 so the session stays resumable, when the previous beat got no ACK.
    private func beat(every interval: Duration, outbound: WebSocketOutboundWriter, heartbeat: Heartbeat) async throws -> ConnectionEnd {
        try await Task.sleep(for: interval * Double.random(in: 0..<1))
        while true {
            guard heartbeat.send() else {
                logger.warning("no heartbeat ACK since the last heartbeat: reconnecting", metadata: ["interval_ms": "\(interval.wholeMilliseconds)"])
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
}
