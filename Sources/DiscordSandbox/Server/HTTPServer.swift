import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP/1.1 plumbing: accepts connections, aggregates each request, hands it to the responder and
/// writes the answer back, keeping connections alive as the client asks. A first request that asks for a
/// WebSocket on `/` is upgraded instead and handed to the gateway, as the listener's `endpoint`.
struct HTTPServer: Sendable {
    typealias Connection = NIOAsyncChannel<AggregatedRequest, HTTPServerResponsePart>

    /// What a new connection turned into after its first request.
    enum Accepted: Sendable {
        case http(Connection)
        case gateway(GatewayServer.Connection, GatewayTarget)
    }

    private let listener: NIOAsyncChannel<EventLoopFuture<Accepted>, Never>
    private let logger: Logger

    /// The address the listening socket is bound to (with the real port when 0 was asked for).
    let localAddress: SocketAddress

    /// Binds the listening socket. Request bodies are held whole in memory up to `bodyLimit` bytes (chosen
    /// per request); larger ones reach the responder as too large. Unparsable requests (including headers over
    /// 80 KiB) are answered 400 by NIO's handlers before they reach the responder.
    static func bind(
        host: String,
        port: Int,
        endpoint: GatewayLink.Endpoint,
        bodyLimit: @escaping @Sendable (HTTPRequestHead) -> Int,
        logger: Logger
    ) async throws -> HTTPServer {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let upgrade = NIOTypedHTTPServerUpgradeConfiguration<Accepted>(
                        upgraders: [
                            GatewayServer.upgrader(endpoint: endpoint) { connection, target in
                                .gateway(connection, target)
                            }
                        ],
                        notUpgradingCompletionHandler: { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(
                                    RequestAggregator(limit: bodyLimit)
                                )
                                return .http(try Connection(wrappingChannelSynchronously: channel))
                            }
                        }
                    )
                    let accepted = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
                        configuration: NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgrade)
                    )
                    let upgrader = try channel.pipeline.syncOperations.handler(
                        type: NIOTypedHTTPServerUpgradeHandler<Accepted>.self
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        GatewayUpgradeFilter(endpoint: endpoint),
                        position: .before(upgrader)
                    )
                    return accepted
                }
            }
        guard let localAddress = listener.channel.localAddress else {
            throw ChannelError.unknownLocalAddress
        }
        return HTTPServer(listener: listener, logger: logger, localAddress: localAddress)
    }

    /// Serves until the task is cancelled, then closes the listener and every connection. Without a
    /// responder (the resume listener, a gateway host) every plain HTTP request is a 404.
    func run(responder: SandboxResponder?, gateway: GatewayServer) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { connections in
                for try await accepted in connections {
                    group.addTask {
                        do {
                            switch try await accepted.get() {
                            case .http(let connection):
                                await serve(connection, responder: responder)
                            case .gateway(let connection, let target):
                                await gateway.serve(connection, target: target)
                            }
                        } catch {
                            logger.debug("connection ended before its first request", metadata: ["error": "\(error)"])
                        }
                    }
                }
            }
        }
    }

    private func serve(_ connection: Connection, responder: SandboxResponder?) async {
        do {
            try await connection.executeThenClose { requests, responses in
                for try await request in requests {
                    let outcome = await responder?.respond(to: request) ?? .respond(HTTPError.notFound.response)
                    switch outcome {
                    case .respond(let response):
                        let keepAlive = request.head.isKeepAlive
                        try await responses.write(
                            contentsOf: Self.parts(of: response, to: request.head, keepAlive: keepAlive)
                        )
                        guard keepAlive else { return }
                    case .dropConnection:
                        // Linger 0: the close below becomes a TCP reset, like a dropped upstream connection.
                        try? await (connection.channel as? any SocketOptionProvider)?
                            .setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                        return
                    }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// The answer to a `HEAD` request has the headers of the `GET` answer but no body.
    private static func parts(
        of response: SandboxResponse,
        to request: HTTPRequestHead,
        keepAlive: Bool
    ) -> [HTTPServerResponsePart] {
        var headers = response.headers
        headers.replaceOrAdd(name: "Content-Length", value: String(response.body.readableBytes))
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        guard request.method != .HEAD else { return [.head(head), .end(nil)] }
        return [.head(head), .body(.byteBuffer(response.body)), .end(nil)]
    }
}
