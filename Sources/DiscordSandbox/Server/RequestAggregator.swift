import JSONSupport
import NIOCore
import NIOHTTP1

/// One request with its whole body, as `RequestAggregator` hands it on.
struct AggregatedRequest: Sendable {
    let head: HTTPRequestHead
    /// Empty when the body was over the limit.
    let body: ByteBuffer
    /// The body was over its route's limit: it was read and thrown away, and the request is to be refused with 413.
    let isTooLarge: Bool
}

/// Collects each request's body in memory, up to a limit chosen per request from its method and target.
/// A larger body is read and thrown away (not answered by the handler, so the responder can send Discord's
/// JSON 413 and the connection stays usable). `Expect: 100-continue` is answered here: `100 Continue` when
/// the announced body fits, and the request is handed on at once, too large, when it does not.
final class RequestAggregator: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = AggregatedRequest
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case collecting(HTTPRequestHead, limit: Int)
        /// Over the limit: the rest of the body is dropped. `answered` when the request was already handed on.
        case discarding(HTTPRequestHead, answered: Bool)
    }

    private let limit: @Sendable (HTTPRequestHead) -> Int
    private var state = State.idle
    private var body = ByteBuffer()

    init(limit: @escaping @Sendable (HTTPRequestHead) -> Int) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), _):
            begin(head, context: context)
        case (.body(var chunk), .collecting(let head, let limit)):
            guard chunk.readableBytes <= limit - body.readableBytes else {
                body = ByteBuffer()
                state = .discarding(head, answered: false)
                return
            }
            body.writeBuffer(&chunk)
        case (.body, _):
            return
        case (.end, .collecting(let head, _)):
            let request = AggregatedRequest(head: head, body: body, isTooLarge: false)
            body = ByteBuffer()
            state = .idle
            context.fireChannelRead(wrapInboundOut(request))
        case (.end, .discarding(let head, let answered)):
            state = .idle
            if !answered {
                context.fireChannelRead(wrapInboundOut(AggregatedRequest(head: head, body: ByteBuffer(), isTooLarge: true)))
            }
        case (.end, .idle):
            return
        }
    }

    private func begin(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let limit = limit(head)
        let expectsContinue = head.headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
        let announcedLength = head.headers.first(name: "content-length").flatMap { Int($0) }
        body = ByteBuffer()
        if let announcedLength, announcedLength > limit {
            // With `Expect`, the client waits for an answer before sending the body: give it the 413 now.
            state = .discarding(head, answered: expectsContinue)
            if expectsContinue {
                context.fireChannelRead(wrapInboundOut(AggregatedRequest(head: head, body: ByteBuffer(), isTooLarge: true)))
            }
            return
        }
        // One allocation for the whole body instead of doubling as it arrives.
        if let announcedLength { body.reserveCapacity(announcedLength) }
        state = .collecting(head, limit: limit)
        if expectsContinue {
            let proceed = HTTPResponseHead(version: head.version, status: .continue)
            context.writeAndFlush(wrapOutboundOut(.head(proceed)), promise: nil)
        }
    }
}
