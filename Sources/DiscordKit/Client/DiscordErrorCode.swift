/// Discord's JSON error codes (docs: `topics/opcodes-and-status-codes` "JSON Error Codes") that callers tell
/// apart: a member who left, a role deleted meanwhile, a bot whose role sits too low.
public struct DiscordErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    public static let unknownChannel = DiscordErrorCode(rawValue: 10003)
    public static let unknownGuild = DiscordErrorCode(rawValue: 10004)
    /// The user is not (or no longer) a member of the guild.
    public static let unknownMember = DiscordErrorCode(rawValue: 10007)
    public static let unknownMessage = DiscordErrorCode(rawValue: 10008)
    /// The role does not exist (any more).
    public static let unknownRole = DiscordErrorCode(rawValue: 10011)
    public static let missingAccess = DiscordErrorCode(rawValue: 50001)
    /// The bot lacks a permission, or the target (a role, a member's highest role, the owner) is not below the
    /// bot's highest role.
    public static let missingPermissions = DiscordErrorCode(rawValue: 50013)
    public static let invalidFormBody = DiscordErrorCode(rawValue: 50035)

    public var description: String { String(rawValue) }
}

extension DiscordError {
    /// Discord's JSON error code when Discord answered with one.
    public var code: DiscordErrorCode? {
        guard case .api(_, let code, _) = self, code != 0 else { return nil }
        return DiscordErrorCode(rawValue: code)
    }

    /// The HTTP status Discord answered with, when it answered with an error.
    public var status: Int? {
        guard case .api(let status, _, _) = self else { return nil }
        return status
    }
}
