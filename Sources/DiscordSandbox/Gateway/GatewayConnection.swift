import JSONSupport
import Logging
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The protocol side of one gateway connection: what each client payload does (docs: `events/gateway`). Used by the
/// connection's reader only; what it answers goes out through the link.
struct GatewayConnection {
    /// Discord allows 120 payloads per connection per 60 s and disconnects beyond that (docs: `events/gateway` "Rate Limiting").
    static let payloadLimit = 120
    static let payloadWindow = Duration.seconds(60)

    let link: GatewayLink
    /// The listener the connection came in on; the resume listener serves RESUME only.
    private let endpoint: GatewayLink.Endpoint
    private let state: SandboxState
    private let configuration: SandboxConfiguration
    private let logger: Logger
    /// The session this connection identified or resumed, if any (it may since have been invalidated).
    private(set) var sessionID: String?
    private var recentPayloads: [ContinuousClock.Instant] = []

    init(
        link: GatewayLink,
        endpoint: GatewayLink.Endpoint,
        state: SandboxState,
        configuration: SandboxConfiguration,
        logger: Logger
    ) {
        self.link = link
        self.endpoint = endpoint
        self.state = state
        self.configuration = configuration
        self.logger = logger
    }

    /// Checks the URL's query and sends HELLO. Only `v=10` is served (else 4012), and only plain JSON:
    /// `encoding=etf` or a `compress` transport is closed with 4002, the closest documented code. Discord
    /// defaults a missing `encoding` to JSON; the sandbox wants both parameters, as the docs advise
    /// (developers/events/gateway, "Connecting"), so a client that leaves them out fails here.
    func open(query: FormFields) throws(GatewayCloseCode) {
        guard query["v"] == "10" else { throw .invalidAPIVersion }
        guard query["encoding"] == "json", query["compress"] == nil else { throw .decodeError }
        let interval = state.withLock { $0.gateway.settings.heartbeatIntervalMilliseconds }
        link.send(GatewayFrame.hello(heartbeatIntervalMilliseconds: interval))
    }

    /// Handles one message; throws the code to close the connection with.
    mutating func receive(_ message: ByteBuffer) throws(GatewayCloseCode) {
        let now = ContinuousClock.now
        try count(now: now)
        let payload = try GatewayPayload(message)
        guard let opcode = GatewayOpcode(rawValue: payload.opcode) else { throw .unknownOpcode }
        switch opcode {
        case .heartbeat:
            let acknowledges = state.withLock { parts in
                parts.gateway.heartbeatReceived(on: link, now: now)
                return parts.gateway.settings.acknowledgesHeartbeats
            }
            if acknowledges { link.send(GatewayFrame.heartbeatACK) }
        case .identify:
            // `resume_gateway_url` is for RESUME; a new session starts on the URL of `GET /gateway/bot`.
            guard endpoint == .gateway else { throw .unknownError }
            let identify = try payload.data(Identify.self)
            let current = sessionID
            let identified = try state.withLock { parts throws(GatewayCloseCode) in
                try parts.gateway.identify(
                    identify,
                    on: link,
                    currentSessionID: current,
                    configuration: configuration,
                    now: now
                )
            }
            guard let identified else {
                logger.info("identify refused: another one started a session within the identify window")
                return
            }
            sessionID = identified
            logger.info("gateway session identified", metadata: ["session_id": "\(identified)"])
        case .resume:
            let resume = try payload.data(Resume.self)
            let current = sessionID
            let resumed = try state.withLock { parts throws(GatewayCloseCode) in
                try parts.gateway.resume(
                    resume,
                    on: link,
                    currentSessionID: current,
                    botToken: configuration.botToken,
                    now: now
                )
            }
            logger.info(
                resumed == nil ? "gateway session not resumable" : "gateway session resumed",
                metadata: ["session_id": "\(resume.sessionID)", "seq": "\(resume.sequence)"]
            )
            if let resumed { sessionID = resumed }
        case .requestGuildMembers:
            try requireSession()
            let request = try payload.data(RequestGuildMembers.self)
            let current = sessionID
            try state.withLock { parts throws(GatewayCloseCode) in
                try parts.gateway.requestMembers(request, sessionID: current, on: link, now: now, date: Date())
            }
        case .presenceUpdate:
            try requireSession()
            guard case .object = try payload.data(JSON.self) else { throw .unknownOpcode }
        case .voiceStateUpdate, .requestSoundboardSounds, .requestChannelInfo:
            // Valid requests about things the sandbox does not model: nothing to answer.
            try requireSession()
        case .dispatch, .reconnect, .invalidSession, .hello, .heartbeatACK:
            // Opcodes only the server sends.
            throw .unknownOpcode
        }
    }

    private func requireSession() throws(GatewayCloseCode) {
        let current = sessionID
        guard state.withLock({ $0.gateway.isLive(current, on: link) }) else { throw .notAuthenticated }
    }

    /// Counts a payload against the send limit; the one over it closes the connection with 4008.
    private mutating func count(now: ContinuousClock.Instant) throws(GatewayCloseCode) {
        recentPayloads.removeAll { now - $0 >= Self.payloadWindow }
        recentPayloads.append(now)
        guard recentPayloads.count <= Self.payloadLimit else { throw .rateLimited }
    }
}
