import Foundation

/// The stack's nginx configuration in nginx's prefix: nginx/standalone.conf.in as nginx.conf, a whole configuration
/// for a private prefix, around nginx/guildgate.conf.in as guildgate.conf, the server production runs too.
struct NginxConfig: Sendable {
    var repository: String
    var prefix: String
    /// `user nobody nogroup;` when nginx starts as root, else empty.
    var userDirective: String
    var webSocket: String
    /// The sockets of further guildgate-web instances for pages and the API, beside `webSocket`.
    var moreWebSockets: [String] = []
    var transferSocket: String
    /// nginx's own socket, where guildgate-web publishes roster events (`GUILDGATE_EVENTS_PUBLISH_URL`).
    var eventsSocket: String
    var port: Int
    var accessLog: String
    /// The stack's discord-sandbox, the one origin besides the site that may serve images to pages (its CDN).
    var sandboxOrigin: String?

    var mainFile: String { prefix + "/nginx.conf" }

    func write() throws(StackError) {
        try FileSystem.save(
            try render("standalone.conf.in", ["USER_DIRECTIVE": userDirective]), to: mainFile)
        try FileSystem.save(
            try render(
                "guildgate.conf.in",
                [
                    "APP_SOCKET": webSocket, "TRANSFER_SOCKET": transferSocket, "EVENTS_SOCKET": eventsSocket,
                    "LISTEN": "127.0.0.1:\(port)", "SERVER_NAME": "localhost",
                    "ACCESS_LOG": accessLog, "EXTRA_IMG_SRC": sandboxOrigin ?? "",
                    "MORE_APP_SERVERS": moreWebSockets.map { "server unix:\($0);" }.joined(separator: " "),
                ]),
            to: prefix + "/guildgate.conf")
    }

    private func render(_ template: String, _ values: [String: String]) throws(StackError) -> String {
        do {
            return try NginxTemplate(contentsOf: "\(repository)/nginx/\(template)").render(values)
        } catch {
            throw StackError(error.description)
        }
    }
}

extension NginxConfig {
    /// The configuration of the stack in `directory`: its prefix and sockets at their real paths.
    init(state: StackState, directory: StackDirectory, privileges: Privileges, port: Int, sandboxOrigin: String?) {
        let sockets = URL(fileURLWithPath: state.webSocket).deletingLastPathComponent().path
        self.init(
            repository: state.repository, prefix: URL(fileURLWithPath: directory.nginx).resolvingSymlinksInPath().path,
            userDirective: privileges.nginxUserDirective, webSocket: state.webSocket, transferSocket: state.transferSocket,
            eventsSocket: sockets + "/" + StackDirectory.eventsSocketName, port: port, accessLog: directory.log("nginx-access"),
            sandboxOrigin: sandboxOrigin)
    }
}
