import NIOWebSocket
import ProcessSupport
import Synchronization
import WSClient

/// One connection attempt, from before the WebSocket upgrade to the close: what `GatewayClient.stop()`
/// needs to end it (its socket's writer once upgraded, its task), and how it ended.
final class GatewayAttempt: Sendable {
    /// How one connection ended.
    enum End: Sendable {
        /// The upgrade never succeeded (refused, timed out, not a WebSocket).
        case failed(String)
        /// The server closed the connection (with a code) or it dropped (nil).
        case closed(code: UInt16?)
        case reconnectRequested
        case invalidSession(resumable: Bool)
        case zombie

        var isFailure: Bool {
            if case .failed = self { return true }
            return false
        }

        /// What happened, for the one log line each attempt gets.
        var summary: String {
            switch self {
            case .failed(let error): return "cannot connect: \(error)"
            case .closed(let code?): return "closed with code \(code)"
            case .closed(nil): return "the connection dropped"
            case .reconnectRequested: return "Discord asked for a reconnect (op 7)"
            case .invalidSession(let resumable): return "Discord invalidated the session (op 9, resumable: \(resumable))"
            case .zombie: return "no heartbeat ACK since the last heartbeat (zombie connection)"
            }
        }
    }

    struct Outcome: Sendable {
        var end: End
        /// Whether READY or RESUMED arrived on this connection.
        var becameReady: Bool
    }

    /// Opened when the attempt ended, or when `stop()` gave up waiting for it.
    let ended = Latch()
    private let state = Mutex<(connection: WebSocketOutboundWriter?, outcome: Outcome?, task: Task<Void, Never>?)>((nil, nil, nil))

    /// Runs `body` as the attempt's task; its outcome is kept and `ended` opened when it returns.
    func start(_ body: @escaping @Sendable () async -> Outcome) {
        let task = Task {
            let outcome = await body()
            state.withLock { $0.outcome = outcome }
            ended.open()
        }
        state.withLock { $0.task = task }
    }

    /// The upgraded connection's writer, kept so that `close` can end the connection in any phase.
    func upgraded(_ connection: WebSocketOutboundWriter) {
        state.withLock { $0.connection = connection }
    }

    /// How the attempt ended; nil when it was abandoned.
    var outcome: Outcome? { state.withLock { $0.outcome } }

    /// Closes the connection with `code` and waits up to `grace` for the close handshake; past it, or when
    /// the attempt is still connecting (NIO's connect ignores cancellation), cancels and abandons it.
    func close(code: WebSocketErrorCode, grace: Duration) async {
        let (connection, task) = state.withLock { ($0.connection, $0.task) }
        if let connection {
            // Not awaited: a write to a peer that stopped reading could wait for ever.
            Task { try? await connection.close(code, reason: "shutting down") }
            if await ended.wait(until: .now + grace) { return }
        }
        task?.cancel()
        ended.open()
    }
}
