import DevStack
import Foundation
import GuildGateTesting
import Testing

/// nginx/guildgate.conf.in as production renders it (README, "Deployment"): what it sends, and that
/// nginx accepts it.
@Suite struct ProductionNginxConfig {
    static let production = [
        "APP_SOCKET=/run/guildgate/web.sock", "TRANSFER_SOCKET=/run/guildgate/transfer.sock",
        "EVENTS_SOCKET=/run/guildgate/events.sock", "LISTEN=80",
        "SERVER_NAME=guild.example.org", "ACCESS_LOG=/var/log/nginx/guildgate.access.log",
    ]

    /// nginx/`template` rendered with `values` (`TOKEN=VALUE`), as `guildgate-dev render-nginx` renders it.
    static func render(_ template: String, _ values: [String]) throws -> String {
        try NginxTemplate(contentsOf: TestStack.repositoryRoot + "/nginx/" + template).render(NginxTemplate.values(fromAssignments: values))
    }

    @Test func productionSendsStrictHeadersAndNoLoopbackOrigins() throws {
        let config = try Self.render("guildgate.conf.in", Self.production)
        let policy = try #require(config.split(separator: "\n").first { $0.contains("add_header Content-Security-Policy") })
        #expect(!policy.contains("127.0.0.1"), "\(policy)")
        #expect(!policy.contains("http:"), "\(policy)")
        #expect(config.contains("add_header Permissions-Policy \"accelerometer=(), camera=()"))
        #expect(config.contains("add_header Strict-Transport-Security $guildgate_hsts always;"))
        #expect(config.contains("map $https $guildgate_hsts {\n    on      \"max-age=31536000\";"))
        #expect(config.contains("server unix:/run/guildgate/transfer.sock;"))
        // The roster's events are published on nginx's unix socket only, never on the site's address.
        #expect(config.contains("listen unix:/run/guildgate/events.sock;"))
        #expect(config.components(separatedBy: "nchan_publisher;").count == 2)
        #expect(config.contains("access_log /var/log/nginx/guildgate.access.log guildgate;"))
        #expect(config.range(of: "@[A-Z][A-Z0-9_]*[?]?@", options: .regularExpression) == nil, "a placeholder is left")
    }

    @Test func aMissingSocketIsAnErrorAndTheSandboxOriginIsOptIn() throws {
        #expect(
            throws: NginxTemplateError.missingValues(
                path: TestStack.repositoryRoot + "/nginx/guildgate.conf.in", tokens: ["TRANSFER_SOCKET"])
        ) {
            try Self.render("guildgate.conf.in", Self.production.filter { !$0.hasPrefix("TRANSFER_SOCKET=") })
        }
        let development = try Self.render("guildgate.conf.in", Self.production + ["EXTRA_IMG_SRC=http://127.0.0.1:4321"])
        #expect(development.contains("img-src 'self' data: https: http://127.0.0.1:4321;"))
    }

    @Test func nginxAcceptsTheRenderedConfiguration() throws {
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let nginx else { return }
        let prefix = NSTemporaryDirectory() + "guildgate-nginx-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: prefix + "/tmp", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        let outer = try Self.render("standalone.conf.in", ["USER_DIRECTIVE="])
        let inner = try Self.render(
            "guildgate.conf.in",
            Self.production.map {
                $0.hasPrefix("LISTEN=")
                    ? "LISTEN=127.0.0.1:9"
                    : $0.hasPrefix("ACCESS_LOG=")
                        ? "ACCESS_LOG=\(prefix)/access.log" : $0.hasPrefix("EVENTS_SOCKET=") ? "EVENTS_SOCKET=\(prefix)/events.sock" : $0
            })
        try outer.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
        try inner.write(toFile: prefix + "/guildgate.conf", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-q", "-t", "-p", prefix + "/", "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
    }
}
