import DiscordKit

/// A nickname template such as `[%rank] %username`: `%username`, `%global_name` (the display name, else the
/// username), `%rank` (the staff rank) and `%group` (the first group) are replaced, then the result is what
/// Discord would keep of it (`GuildMember.nickname`: spaces collapsed, cut to 32 characters).
public struct NicknameTemplate: Sendable, Equatable {
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    public struct Member: Sendable {
        public let username: String
        public let globalName: String?
        public let rank: String?
        public let group: String?

        public init(username: String, globalName: String?, rank: String?, group: String?) {
            self.username = username
            self.globalName = globalName
            self.rank = rank
            self.group = group
        }
    }

    /// The nickname for `member`; nil when the template yields nothing (the nickname is then cleared).
    public func nickname(for member: Member) -> String? {
        // Longest placeholder first: `%global_name` is not `%g…`, but `%username` must not eat a longer one.
        let replacements = [
            ("%global_name", member.globalName ?? member.username), ("%username", member.username), ("%rank", member.rank ?? ""),
            ("%group", member.group ?? ""),
        ]
        var result = ""
        var rest = Substring(text)
        scan: while let percent = rest.firstIndex(of: "%") {
            result += rest[..<percent]
            let tail = rest[percent...]
            for (placeholder, value) in replacements where tail.hasPrefix(placeholder) {
                result += value
                rest = tail.dropFirst(placeholder.count)
                continue scan
            }
            result += "%"
            rest = tail.dropFirst()
        }
        result += rest
        return GuildMember.nickname(result)
    }
}
