import NIOCore
import NIOHTTP1

/// Lets only WebSocket upgrades of the gateway path (`/`) reach NIO's upgrade handler: any other first request
/// loses its `Upgrade` header. NIO's typed upgrader drops a request it was asked to upgrade but could not
/// (`Upgrade: h2c` from `curl --http2`, say), so without this such requests would get no answer at all
/// instead of being served as plain HTTP. Only the first request can upgrade; the filter then leaves.
final class GatewayUpgradeFilter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    private let endpoint: GatewayLink.Endpoint

    init(endpoint: GatewayLink.Endpoint) {
        self.endpoint = endpoint
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        let asksForWebSocket = head.headers[canonicalForm: "upgrade"].contains { $0.lowercased() == "websocket" }
        if !asksForWebSocket || GatewayTarget(uri: head.uri, endpoint: endpoint) == nil {
            head.headers.remove(name: "upgrade")
        }
        context.fireChannelRead(wrapInboundOut(.head(head)))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
