/// Why storing a file on Discord failed.
public enum FileStorageError: Error, Equatable, CustomStringConvertible {
    /// 413 (40005 / 50045): the attachment limit is set higher than Discord accepts; retrying cannot help.
    case attachmentTooLarge(bytes: Int, limit: Int)
    case notConfigured(String)
    case discord(String)
    case incomplete

    public var description: String {
        switch self {
        case .attachmentTooLarge(let bytes, let limit):
            return "Discord refused a \(bytes)-byte part as too large: DISCORD_ATTACHMENT_LIMIT (\(limit)) is above what "
                + "this bot may upload; lower it (the default, 10485760, is Discord's limit for bots)"
        case .notConfigured(let what): return what
        case .discord(let reason): return "storing a part on Discord failed: \(reason)"
        case .incomplete: return "not every part of the file was stored"
        }
    }
}
