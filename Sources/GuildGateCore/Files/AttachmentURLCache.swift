import DiscordKit
import Foundation
import Synchronization

/// Signed attachment URLs by attachment id, each kept until a minute before its `ex`. Shared by the
/// process's threads: one re-read of a message serves every part it holds, for every download.
public final class AttachmentURLCache: Sendable {
    private let urls = Mutex<[String: (url: String, usableUntil: Date)]>([:])
    /// URLs without an `ex` (not Discord's CDN) are trusted for this long.
    static let unsignedLifetime: TimeInterval = 600
    static let margin: TimeInterval = 60

    public init() {}

    func url(attachmentID: String, now: Date) -> String? {
        urls.withLock { urls in
            guard let entry = urls[attachmentID] else { return nil }
            guard entry.usableUntil > now else {
                urls[attachmentID] = nil
                return nil
            }
            return entry.url
        }
    }

    func store(_ message: DiscordMessage, now: Date) {
        urls.withLock { urls in
            if urls.count > 50_000 { urls = urls.filter { $0.value.usableUntil > now } }
            for attachment in message.attachments {
                let expiry = CDNURL.expiry(of: attachment.url) ?? now.addingTimeInterval(Self.unsignedLifetime)
                urls[attachment.id] = (attachment.url, expiry.addingTimeInterval(-Self.margin))
            }
        }
    }

    func forget(attachmentID: String) {
        _ = urls.withLock { $0.removeValue(forKey: attachmentID) }
    }
}
