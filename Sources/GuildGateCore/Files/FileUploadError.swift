/// Why an upload was refused before or while it was stored; each says what the uploader can do.
public enum FileUploadError: Error, Equatable, CustomStringConvertible {
    /// `DISCORD_STORAGE_CHANNEL_IDS` is empty.
    case storageNotConfigured
    /// The declared size does not fit the owner's quota.
    case quotaExceeded(quota: Int, used: Int)
    /// The file grew past what was left of the owner's quota.
    case exceedsQuotaLeft(Int)
    /// The file grew past `GUILDGATE_MAX_FILE_SIZE`.
    case tooLarge(limit: Int)
    case tooManyInProgress(limit: Int)

    public var description: String {
        switch self {
        case .storageNotConfigured:
            return "File storage is not configured: set DISCORD_STORAGE_CHANNEL_IDS."
        case .quotaExceeded(let quota, let used):
            return "This file does not fit your storage quota of \(ByteCount.format(quota)) (\(ByteCount.format(used)) used). "
                + "Delete files you no longer need, or ask an admin for more room."
        case .exceedsQuotaLeft(let left):
            return "This file does not fit what is left of your storage quota (\(ByteCount.format(left)))."
        case .tooLarge(let limit):
            return "The file is larger than the \(limit) bytes allowed."
        case .tooManyInProgress(let limit):
            return "You already have \(limit) uploads in progress; wait for one to finish."
        }
    }
}
