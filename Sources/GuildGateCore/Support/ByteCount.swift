import Foundation

/// "1.5 MB", "734 KB", "12 bytes" (decimal units, as file managers show them).
public enum ByteCount {
    public static func format(_ bytes: Int) -> String {
        switch bytes {
        case ..<1000: return "\(bytes) bytes"
        case ..<1_000_000: return String(format: "%.0f KB", Double(bytes) / 1e3)
        case ..<1_000_000_000: return String(format: "%.1f MB", Double(bytes) / 1e6)
        default: return String(format: "%.2f GB", Double(bytes) / 1e9)
        }
    }
}
