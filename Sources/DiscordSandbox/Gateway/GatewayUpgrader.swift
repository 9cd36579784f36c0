import Crypto
import NIOCore
import NIOHTTP1
import NIOWebSocket

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The WebSocket handshake (RFC 6455 §4.2) for `/` of a gateway listener. NIO's own WebSocket upgrader installs
/// its frame encoder, which costs a trip through the pipeline per frame; here frames are decoded by NIO
/// but written by `WebSocketServerFrames`, many per write, so bursts of dispatches stay cheap.
struct GatewayUpgrader<Accepted: Sendable>: NIOTypedHTTPServerProtocolUpgrader {
    private static var acceptGUID: String { "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" }

    let supportedProtocol = "websocket"
    let requiredUpgradeHeaders: [String] = []
    /// Which listener this is: the gateway URL's or `resume_gateway_url`'s.
    let endpoint: GatewayLink.Endpoint
    /// Frames up to this size are read; larger ones fail the connection (close 1009).
    let maxFrameSize: Int
    /// Makes the server's connection value from the upgraded channel.
    let accept: @Sendable (GatewayServer.Connection, GatewayTarget) -> Accepted

    func buildUpgradeResponse(
        channel: any Channel,
        upgradeRequest: HTTPRequestHead,
        initialResponseHeaders: HTTPHeaders
    ) -> EventLoopFuture<HTTPHeaders> {
        let keys = upgradeRequest.headers[canonicalForm: "sec-websocket-key"]
        guard GatewayTarget(uri: upgradeRequest.uri, endpoint: endpoint) != nil, keys.count == 1,
            upgradeRequest.headers[canonicalForm: "sec-websocket-version"] == ["13"]
        else {
            return channel.eventLoop.makeFailedFuture(NIOWebSocketUpgradeError.invalidUpgradeHeader)
        }
        let digest = Insecure.SHA1.hash(data: Array((keys[0] + Self.acceptGUID).utf8))
        var headers = initialResponseHeaders
        headers.replaceOrAdd(name: "Upgrade", value: "websocket")
        headers.replaceOrAdd(name: "Connection", value: "upgrade")
        headers.add(name: "Sec-WebSocket-Accept", value: Data(digest).base64EncodedString())
        return channel.eventLoop.makeSucceededFuture(headers)
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Accepted> {
        channel.eventLoop.makeCompletedFuture {
            guard let target = GatewayTarget(uri: upgradeRequest.uri, endpoint: endpoint) else {
                throw NIOWebSocketUpgradeError.unsupportedWebSocketTarget
            }
            try channel.pipeline.syncOperations.addHandler(
                ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize))
            )
            try channel.pipeline.syncOperations.addHandler(
                NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 1,
                    maxAccumulatedFrameCount: 64,
                    maxAccumulatedFrameSize: maxFrameSize
                )
            )
            return accept(try GatewayServer.Connection(wrappingChannelSynchronously: channel), target)
        }
    }
}

/// Server-to-client WebSocket frames (unmasked, unfragmented), many encoded into one buffer.
enum WebSocketServerFrames {
    static func encode<Payloads: Collection<ByteBuffer>>(_ opcode: WebSocketOpcode, _ payloads: Payloads) -> ByteBuffer {
        let firstByte = 0x80 | UInt8(webSocketOpcode: opcode)
        var frames = ByteBuffer()
        frames.reserveCapacity(payloads.reduce(0) { $0 + $1.readableBytes + 10 })
        for payload in payloads {
            let length = payload.readableBytes
            switch length {
            case 0...125:
                frames.writeMultipleIntegers(firstByte, UInt8(length))
            case 126...Int(UInt16.max):
                frames.writeMultipleIntegers(firstByte, UInt8(126), UInt16(length))
            default:
                frames.writeMultipleIntegers(firstByte, UInt8(127), UInt64(length))
            }
            frames.writeImmutableBuffer(payload)
        }
        return frames
    }
}
