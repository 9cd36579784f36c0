import Foundation

/// Where guildgate-web publishes the roster's events (`GUILDGATE_EVENTS_PUBLISH_URL`): nginx's nchan publisher
/// location. `unix:PATH` is nginx's publisher server on a unix socket (`EVENTS_SOCKET` of nginx/guildgate.conf.in),
/// reached as `http://localhost/roster`; an `http://` URL is used as it is, and must point at loopback.
public struct EventsPublishTarget: Sendable, Equatable {
    /// The publisher location, as the request line and `Host` name it.
    public let url: String
    /// The unix socket the request goes through, when there is one.
    public let unixSocket: String?

    /// The path of the publisher location on nginx's unix socket server.
    static let socketPath = "/roster"

    /// nil for an empty setting (publishing off).
    init?(setting: String?) throws(ConfigError) {
        guard let setting, !setting.isEmpty else { return nil }
        if setting.hasPrefix("unix:") {
            let socket = String(setting.dropFirst(5))
            guard socket.hasPrefix("/") else {
                throw .invalid("GUILDGATE_EVENTS_PUBLISH_URL", reason: "unix: must be followed by an absolute socket path")
            }
            url = "http://localhost" + Self.socketPath
            unixSocket = socket
            return
        }
        guard URL(string: setting)?.scheme?.lowercased() == "http", LoopbackURL.isLoopback(setting) else {
            throw .invalid(
                "GUILDGATE_EVENTS_PUBLISH_URL", reason: "must be unix:/path/to/events.sock or an http:// URL on loopback")
        }
        url = setting
        unixSocket = nil
    }
}
