import ArgumentParser
import DiscordSandboxDefaults
import Logging
import NIOCore
import ProcessSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

@main
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discord-sandbox",
        abstract: "A local stand-in for Discord's REST API and OAuth2, for tests and demos.",
        discussion: """
            Serves the Discord Gateway (WebSocket) on the same port, at / (GET /gateway/bot hands out \
            ws://host:port, without a path, as Discord does), RESUME only on a second port of the same host \
            (READY's resume_gateway_url), the attachment CDN at /attachments/ and an OpenAI-compatible chat backend at \
            /openai/v1/. Control it over HTTP under /_sandbox/ (reset, test user, consent mode, faults, rate \
            limits, request log, gateway and guild members, messages, CDN, interactions).
            """
    )

    @Option(help: "Address to listen on as host:port; port 0 lets the OS pick.")
    var listen = ListenAddress(host: "127.0.0.1", port: 0)

    @Option(help: "Write the bound port (digits and a newline) to this file, atomically.")
    var portFile: String?

    @Option(help: "The application's client id (a snowflake).")
    var clientId = SandboxDefaults.clientID

    @Option(help: "The application's client secret.")
    var clientSecret = SandboxDefaults.clientSecret

    @Option(help: "The bot token accepted as `Authorization: Bot <token>`.")
    var botToken = SandboxDefaults.botToken

    @Option(help: "The key the OpenAI-compatible chat backend under /openai/v1 accepts as `Authorization: Bearer <key>`.")
    var chatApiKey = SandboxDefaults.chatAPIKey

    @Option(help: "The id of the one guild the bot is in (a snowflake).")
    var guildId = SandboxDefaults.guildID

    @Option(help: "The guild's text channels (comma-separated snowflakes); other channel ids are unknown.")
    var channelIds = SandboxDefaults.textChannelIDs.joined(separator: ",")

    @Option(
        help: """
            Base URL for absolute URLs the sandbox hands out, but resume_gateway_url, which is the second port \
            of the listen address. (default: http://<listen address>)
            """
    )
    var publicUrl: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard !clientId.isEmpty, clientId.count <= 20, clientId.allSatisfy(\.isASCIIDigit) else {
            throw ValidationError("--client-id must be a snowflake (digits only).")
        }
        guard !guildId.isEmpty, guildId.count <= 20, guildId.allSatisfy(\.isASCIIDigit), UInt64(guildId) != nil else {
            throw ValidationError("--guild-id must be a snowflake (digits only).")
        }
        let channels = textChannelIDs
        guard !channels.isEmpty, channels.allSatisfy({ Snowflake.value($0) != nil }), Set(channels).count == channels.count,
            !channels.contains(guildId)
        else {
            throw ValidationError("--channel-ids must be distinct snowflakes, comma-separated, other than --guild-id.")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "discord-sandbox")
        let signals = ShutdownSignals()

        let routes = SandboxRoutes.all
        let router = Router(routes: routes)
        let server = try await HTTPServer.bind(
            host: listen.host,
            port: listen.port,
            endpoint: .gateway,
            bodyLimit: { router.maxBodySize(for: $0) },
            logger: logger
        )
        // Discord resumes on another host than it identifies on; here, another port of the same address.
        let resumeServer = try await HTTPServer.bind(
            host: listen.host,
            port: 0,
            endpoint: .resume,
            bodyLimit: { _ in 0 },
            logger: logger
        )
        let baseURL = "http://\(Self.urlHost(server.localAddress))"
        let configuration = SandboxConfiguration(
            clientID: clientId,
            clientSecret: clientSecret,
            botToken: botToken,
            chatAPIKey: chatApiKey,
            guildID: guildId,
            textChannelIDs: textChannelIDs,
            publicURL: publicUrl ?? baseURL,
            resumeAuthority: Self.urlHost(resumeServer.localAddress)
        )
        let state = SandboxState(routes: routes, configuration: configuration)
        let responder = SandboxResponder(router: router, state: state, configuration: configuration, logger: logger)
        let gateway = GatewayServer(state: state, configuration: configuration, logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run(responder: responder, gateway: gateway) }
            group.addTask { try await resumeServer.run(responder: nil, gateway: gateway) }
            group.addTask {
                if let signal = await signals.wait() {
                    logger.info("shutting down", metadata: ["signal": "\(signal)"])
                }
            }
            // The port file first: whoever reads the announcement may go straight for the file.
            if let portFile {
                try Self.writeAtomically("\(server.localAddress.port ?? 0)\n", to: portFile)
            }
            Self.writeToStandardOutput("discord-sandbox listening on \(baseURL)\n")
            logger.info(
                "ready",
                metadata: [
                    "public_url": "\(configuration.publicURL)",
                    "resume_gateway_url": "\(configuration.resumeGatewayURL)",
                ]
            )
            // The first to finish (a signal, or the server failing) ends the other.
            try await group.next()
            group.cancelAll()
        }
    }

    private var textChannelIDs: [String] {
        channelIds.split(separator: ",").map { String($0.trimmingSpaces) }
    }

    /// `127.0.0.1:8190`, or `[::1]:8190` for IPv6.
    private static func urlHost(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "127.0.0.1"
        let port = address.port ?? 0
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// Unbuffered, so the announcement is visible the moment it is written.
    private static func writeToStandardOutput(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Writes a temporary file next to `path` and renames it over `path`, so readers never see a partial file.
    private static func writeAtomically(_ contents: String, to path: String) throws(PortFileError) {
        let temporaryPath = "\(path).\(getpid()).tmp"
        do {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: temporaryPath))
        } catch {
            throw PortFileError(path: path, reason: "cannot write \(temporaryPath)")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw PortFileError(path: path, reason: reason)
        }
    }
}

struct PortFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String

    var description: String { "cannot write --port-file \(path): \(reason)" }
}

/// `host:port` (IPv6 hosts in brackets: `[::1]:0`).
struct ListenAddress: ExpressibleByArgument, Sendable {
    let host: String
    let port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = argument[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { return nil }
        self.init(host: String(host), port: port)
    }

    var defaultValueDescription: String { "\(host):\(port)" }
}
