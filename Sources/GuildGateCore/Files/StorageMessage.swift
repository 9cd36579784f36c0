/// The Discord messages that hold a file's parts: how an upload labels them, and how the cleanup finds the
/// ones an upload posted but never recorded.
public enum StorageMessage {
    /// The content of the message holding `fileID`'s parts from `firstPart` on.
    public static func content(fileID: Int, firstPart: Int) -> String {
        prefix(fileID: fileID) + "from \(firstPart)"
    }

    /// What the content of every message of `fileID` starts with.
    public static func prefix(fileID: Int) -> String {
        "guildgate file \(fileID) parts "
    }

    /// The enforced nonce: a retried post returns the first message instead of storing the parts twice.
    public static func nonce(fileID: Int, firstPart: Int) -> String {
        "gg\(fileID)p\(firstPart)"
    }
}
