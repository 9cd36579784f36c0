import Foundation
import GuildGateCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// guildgate-bot's `GET /metrics` (`GUILDGATE_BOT_METRICS_PORT`), on 127.0.0.1 only: no other host can reach
/// it, so it asks for no token. Anything but `GET /metrics` is a 404.
struct MetricsListener: Sendable {
    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    private let server: NIOAsyncChannel<Connection, Never>

    /// Serves on `port` (nil: no listener) until the returned task is cancelled. A port that cannot be bound
    /// ends the process with one line, as any unusable setting does at start.
    static func start(port: Int?, logger: Logger) async -> Task<Void, Never>? {
        guard let port else { return nil }
        let listener: MetricsListener
        do {
            listener = try await bind(port: port)
        } catch {
            logger.critical("cannot listen on 127.0.0.1:\(port) (GUILDGATE_BOT_METRICS_PORT): \(error)")
            exit(1)
        }
        logger.info("serving metrics", metadata: ["listen": "127.0.0.1:\(port)"])
        return Task { await listener.serve(logger: logger) }
    }

    /// Binds 127.0.0.1:`port`; serving starts with `serve()`.
    static func bind(port: Int) async throws -> MetricsListener {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        return MetricsListener(server: server)
    }

    /// Answers scrapes until the task running it is cancelled.
    func serve(logger: Logger) async {
        do {
            try await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in connections {
                        group.addTask { await Self.answer(connection, logger: logger) }
                    }
                }
            }
        } catch {
            logger.error("the metrics listener stopped", metadata: ["error": "\(error)"])
        }
    }

    private static func answer(_ connection: Connection, logger: Logger) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let received): head = received
                    case .body: continue
                    case .end:
                        guard let request = head else { return }
                        let found = request.method == .GET && request.uri.split(separator: "?").first == "/metrics"
                        let body = found ? ProcessMetrics.exposition() : Array("not found\n".utf8)
                        var headers = HTTPHeaders([
                            ("Content-Type", found ? ProcessMetrics.contentType : "text/plain; charset=utf-8"),
                            ("Content-Length", String(body.count)),
                        ])
                        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
                        try await outbound.write(
                            .head(HTTPResponseHead(version: request.version, status: found ? .ok : .notFound, headers: headers)))
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                        try await outbound.write(.end(nil))
                        guard request.isKeepAlive else { return }
                        head = nil
                    }
                }
            }
        } catch {
            logger.debug("a metrics connection ended early", metadata: ["error": "\(error)"])
        }
    }
}
