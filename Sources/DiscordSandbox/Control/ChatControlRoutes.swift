import JSONSupport

/// The control API of the OpenAI-compatible backend: the calls it received, oldest first.
enum ChatControlRoutes {
    static var routes: [Route] {
        [
            .control(.GET, "/chat/requests") { context in
                .json(.array(context.state.withLock { $0.chatBackend.requests }.map(\.json)))
            },
            .control(.DELETE, "/chat/requests") { context in
                context.state.withLock { $0.chatBackend.clearRequests() }
                return .json(["ok": true])
            },
        ]
    }
}
