import NIOCore
import Synchronization

/// The sandbox's handle on one live gateway connection: everything to write to it, in order. Anyone may
/// send through it (the connection itself, control requests); its writer task does the writing.
final class GatewayLink: Sendable {
    enum Output: Sendable {
        /// Text frames, written in batches of many frames per write and flush.
        case payloads([ByteBuffer])
        case pong(ByteBuffer)
        /// A close frame (`code` is `nil` to echo a close without a status code).
        case close(code: UInt16?, reason: String)
        /// Op 7, then the connection is closed after a grace period unless the client closes it first.
        case reconnect
        /// The TCP connection reset, without a close frame.
        case drop
    }

    /// The listener a connection came in on, each at `/` of its own host:port, as Discord's are.
    enum Endpoint: String, Sendable, CaseIterable {
        /// The URL of `GET /gateway/bot`, on the sandbox's own port.
        case gateway
        /// READY's `resume_gateway_url`, on a port of its own: only RESUME is accepted there.
        case resume
    }

    let id: Int
    private let outputs: AsyncStream<Output>.Continuation
    private let closing = Atomic(false)

    init(id: Int, outputs: AsyncStream<Output>.Continuation) {
        self.id = id
        self.outputs = outputs
    }

    /// Once a close is under way the connection ignores what the client sends and sends no more dispatches.
    var isClosing: Bool { closing.load(ordering: .acquiring) }

    func send(_ payloads: [ByteBuffer]) {
        guard !payloads.isEmpty else { return }
        outputs.yield(.payloads(payloads))
    }

    func send(_ payload: ByteBuffer) {
        outputs.yield(.payloads([payload]))
    }

    func pong(_ data: ByteBuffer) {
        outputs.yield(.pong(data))
    }

    func reconnect() {
        outputs.yield(.reconnect)
    }

    func close(_ code: GatewayCloseCode) {
        close(code: code.rawValue, reason: code.reason)
    }

    /// Starts the closing handshake; returns `false` when one was already under way.
    @discardableResult
    func close(code: UInt16?, reason: String) -> Bool {
        guard closing.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        outputs.yield(.close(code: code, reason: reason))
        return true
    }

    func drop() {
        closing.store(true, ordering: .releasing)
        outputs.yield(.drop)
    }

    /// No more output: the writer ends once it has written what was sent before.
    func finish() {
        outputs.finish()
    }
}
