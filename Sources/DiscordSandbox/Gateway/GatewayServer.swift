import Logging
import NIOCore
import NIOWebSocket

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A WebSocket upgrade to the gateway: which listener it reached, and the query the protocol is chosen by.
/// Discord's gateway URLs have no path (`wss://gateway.discord.gg`, docs: `events/gateway` "Get Gateway Bot"), so a client connects to
/// `/` with its query (`/?v=10&encoding=json`); any other path is not the gateway.
struct GatewayTarget: Sendable {
    let endpoint: GatewayLink.Endpoint
    let query: FormFields

    /// `nil` for any path but `/` (the request is then served as plain HTTP).
    init?(uri: String, endpoint: GatewayLink.Endpoint) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts[0] == "/", let query = FormFields(parsing: parts.count > 1 ? parts[1] : "") else { return nil }
        self.endpoint = endpoint
        self.query = query
    }
}

/// Serves upgraded gateway connections: per connection, a reader that applies the protocol to what the
/// client sends, and a writer that writes what its link was given, many frames per write and flush.
struct GatewayServer: Sendable {
    /// Frames in; encoded frames out (see `WebSocketServerFrames`).
    typealias Connection = NIOAsyncChannel<WebSocketFrame, ByteBuffer>

    /// Frames up to this size are read (and payloads over 4096 bytes refused with 4002); larger ones end
    /// the connection with 1009.
    static let maxFrameSize = 1 << 16
    /// Frames encoded into one write (and flush).
    static let writeBatchSize = 1024
    /// How long the client has to answer a close frame before the TCP connection is closed.
    static let closeTimeout = TimeAmount.seconds(5)
    /// How long after RECONNECT the connection is closed if the client has not done it.
    static let reconnectGrace = TimeAmount.seconds(5)

    let state: SandboxState
    let configuration: SandboxConfiguration
    let logger: Logger

    /// Accepts WebSocket upgrades to `/` of a gateway listener; `accept` makes the server's connection value.
    static func upgrader<Accepted: Sendable>(
        endpoint: GatewayLink.Endpoint,
        accept: @escaping @Sendable (Connection, GatewayTarget) -> Accepted
    ) -> GatewayUpgrader<Accepted> {
        GatewayUpgrader(endpoint: endpoint, maxFrameSize: maxFrameSize, accept: accept)
    }

    func serve(_ connection: Connection, target: GatewayTarget) async {
        let (outputs, continuation) = AsyncStream<GatewayLink.Output>.makeStream()
        let link = state.withLock { $0.gateway.connect(endpoint: target.endpoint, outputs: continuation) }
        var logger = self.logger
        logger[metadataKey: "gateway_connection"] = "\(link.id)"
        logger.debug("gateway connection opened", metadata: ["endpoint": "\(target.endpoint.rawValue)"])

        var protocolState = GatewayConnection(
            link: link,
            endpoint: target.endpoint,
            state: state,
            configuration: configuration,
            logger: logger
        )
        do {
            try protocolState.open(query: target.query)
        } catch {
            logger.info("refusing gateway connection", metadata: ["close_code": "\(error.rawValue)"])
            link.close(error)
        }

        var clientCloseCode: UInt16?
        let channel = connection.channel
        do {
            try await connection.executeThenClose { inbound, outbound in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await Self.write(outputs, to: outbound, channel: channel) }
                    do {
                        clientCloseCode = try await read(inbound, into: &protocolState, logger: logger)
                    } catch {
                        link.finish()
                        throw error
                    }
                    // The writer still writes what was sent before (an echoed close frame, say), then ends.
                    link.finish()
                    try await group.waitForAll()
                }
            }
        } catch {
            logger.debug("gateway connection failed", metadata: ["error": "\(error)"])
        }
        let sessionID = protocolState.sessionID
        state.withLock {
            $0.gateway.disconnect(link, sessionID: sessionID, clientCloseCode: clientCloseCode, now: .now)
        }
        logger.debug(
            "gateway connection closed",
            metadata: ["client_close_code": "\(clientCloseCode.map(String.init) ?? "none")"]
        )
    }

    /// Reads until the connection ends; returns the close code when the client started the closing handshake.
    private func read(
        _ inbound: NIOAsyncChannelInboundStream<WebSocketFrame>,
        into connection: inout GatewayConnection,
        logger: Logger
    ) async throws -> UInt16? {
        let link = connection.link
        do {
            for try await frame in inbound {
                switch frame.opcode {
                case .text, .binary:
                    guard !link.isClosing else { continue }
                    do {
                        try connection.receive(frame.unmaskedData)
                    } catch {
                        logger.info("closing gateway connection", metadata: ["close_code": "\(error.rawValue)"])
                        link.close(error)
                    }
                case .ping:
                    link.pong(frame.unmaskedData)
                case .connectionClose:
                    var data = frame.unmaskedData
                    let code = data.readInteger(as: UInt16.self)
                    // Our own close being answered, or the client closing: then echo its code.
                    return link.close(code: code, reason: "") ? code : nil
                default:
                    continue
                }
            }
        } catch let error as NIOWebSocketError {
            // A frame NIO could not decode: fail the connection as RFC 6455 says (1009 for one too large).
            let code: UInt16 = if case .invalidFrameLength = error { 1009 } else { 1002 }
            link.close(code: code, reason: "")
        }
        return nil
    }

    /// Writes the link's output in order. After a close frame only a drop is still carried out.
    private static func write(
        _ outputs: AsyncStream<GatewayLink.Output>,
        to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel
    ) async throws {
        var closed = false
        for await output in outputs {
            switch output {
            case .payloads(let payloads) where !closed:
                // Batches, each one write and flush: the client starts reading while a large burst is encoded.
                for start in stride(from: 0, to: payloads.count, by: writeBatchSize) {
                    let batch = payloads[start..<min(start + writeBatchSize, payloads.count)]
                    try await outbound.write(WebSocketServerFrames.encode(.text, batch))
                }
            case .pong(let data) where !closed:
                try await outbound.write(WebSocketServerFrames.encode(.pong, [data]))
            case .reconnect where !closed:
                try await outbound.write(WebSocketServerFrames.encode(.text, [GatewayFrame.reconnect]))
                channel.eventLoop.scheduleTask(in: reconnectGrace) { channel.close(promise: nil) }
            case .close(let code, let reason) where !closed:
                closed = true
                var data = ByteBuffer()
                if let code {
                    data.writeInteger(code)
                    data.writeString(reason)
                }
                try await outbound.write(WebSocketServerFrames.encode(.connectionClose, [data]))
                channel.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
            case .drop:
                // Linger 0: the close becomes a TCP reset, like a connection lost on the way.
                try? await (channel as? any SocketOptionProvider)?.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                channel.close(promise: nil)
                return
            case .payloads, .pong, .reconnect, .close:
                continue
            }
        }
    }
}
