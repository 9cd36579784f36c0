import Metrics

/// Bytes of files through guildgate-web: plaintext received from uploaders and sent to downloaders.
public enum FileMetrics {
    public static let uploadBytes = "guildgate_file_upload_bytes_total"
    public static let downloadBytes = "guildgate_file_download_bytes_total"

    static func uploadCounter() -> Counter { Counter(label: uploadBytes) }
    static func downloadCounter() -> Counter { Counter(label: downloadBytes) }
}
