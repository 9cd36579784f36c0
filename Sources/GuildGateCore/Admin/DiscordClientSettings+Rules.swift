import Foundation

extension DiscordClientSettings.Field {
    /// The longest value the field takes.
    public var maxLength: Int {
        switch self {
        case .name, .nicknameTemplate: return 100
        case .guildID, .clientID: return 20
        case .clientSecret, .botToken: return 256
        case .callbackURL, .inviteURL: return 512
        }
    }

    /// Whether the Discord side of GuildGate needs the field: a saved value may go back to the environment
    /// only when the environment has one.
    var isRequired: Bool {
        switch self {
        case .guildID, .clientID, .clientSecret, .botToken: return true
        case .name, .callbackURL, .inviteURL, .nicknameTemplate: return false
        }
    }

    /// What is wrong with `value` on its own (its form, not whether Discord accepts it), or nil.
    public func problem(with value: String) -> String? {
        guard value.count <= maxLength else { return "must be at most \(maxLength) characters." }
        guard !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "must not contain control characters."
        }
        switch self {
        case .name:
            return nil
        case .guildID, .clientID:
            return DiscordID.isValid(value) ? nil : "must be a Discord id: \(DiscordID.howToCopy)."
        case .clientSecret, .botToken:
            guard !value.contains(where: \.isWhitespace) else {
                return "must not contain spaces: copy it again from the Developer Portal."
            }
            return nil
        case .callbackURL:
            return Self.isWebURL(value) ? nil : "must be an absolute http(s) URL such as https://guild.example.org/api/discord/callback."
        case .inviteURL:
            return Self.isWebURL(value)
                ? nil : "must be an invite link such as https://discord.gg/AbCdEf (Server → Invite People → never expires)."
        case .nicknameTemplate:
            let unknown = NicknameTemplate(value).unknownPlaceholders
            guard unknown.isEmpty else {
                return "\(unknown.joined(separator: ", ")) is not a placeholder: use %username, %global_name, %rank or %group."
            }
            return nil
        }
    }

    private static func isWebURL(_ text: String) -> Bool {
        guard !text.contains(where: \.isWhitespace), let url = URL(string: text), let scheme = url.scheme?.lowercased(),
            ["http", "https"].contains(scheme), let host = url.host, !host.isEmpty
        else { return false }
        return true
    }
}
