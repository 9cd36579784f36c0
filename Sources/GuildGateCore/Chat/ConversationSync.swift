import Crypto
import Foundation
import JSONSupport
import Store

/// The conversation sync API's rules (seed 003: the app syncs conversations with the bot): one Discord
/// account's conversations, those the bot recorded in Discord and those the app exported, listed, read,
/// deleted and exported; the app's uploaded as new conversations, once per Idempotency-Key. Every call
/// is scoped to `owner`: another account's conversation is as absent as an unknown one.
public struct ConversationSync {
    public static let maxTitleLength = 200
    public static let maxMessages = 1000
    public static let maxContentLength = 32_000
    public static let maxIdempotencyKeyLength = 255
    public static let maxPageSize = 100

    /// One conversation with its messages, oldest first.
    public struct Transcript {
        public let conversation: Conversation
        public let messages: [ConversationMessage]
    }

    let db: PostgresConnection
    public let owner: TokenOwner

    public init(db: PostgresConnection, owner: TokenOwner) {
        self.db = db
        self.owner = owner
    }

    private var store: ConversationStore { ConversationStore(db) }

    /// A page of the owner's conversations, newest first, and the id to pass as `beforeID` for the next
    /// page (nil on the last).
    public func page(limit: Int, beforeID: Int?) throws -> (conversations: [Conversation], nextBefore: Int?) {
        let found = try store.list(discordID: owner.discordID, limit: limit + 1, beforeID: beforeID)
        let page = Array(found.prefix(limit))
        return (page, found.count > limit ? page.last?.id : nil)
    }

    public func transcript(id: Int) throws -> Transcript {
        guard let conversation = try store.conversation(id: id, discordID: owner.discordID) else { throw ConversationSyncError.notFound }
        return Transcript(conversation: conversation, messages: try store.messages(conversationID: id, discordID: owner.discordID))
    }

    /// Every conversation of the owner with its messages, newest first.
    public func export() throws -> [Transcript] {
        var transcripts: [Transcript] = []
        var beforeID: Int?
        repeat {
            let (conversations, next) = try page(limit: Self.maxPageSize, beforeID: beforeID)
            for conversation in conversations {
                let messages = try store.messages(conversationID: conversation.id, discordID: owner.discordID)
                transcripts.append(Transcript(conversation: conversation, messages: messages))
            }
            beforeID = next
        } while beforeID != nil
        return transcripts
    }

    /// Stores a conversation from the app (`title` empty: the start of its first user message). With an
    /// `idempotencyKey`, the same request again returns the conversation the first one created
    /// (`created` false); the key with another request is refused.
    public func create(title: String, messages: [NewConversationMessage], idempotencyKey: String?) throws -> (
        conversation: Conversation, created: Bool
    ) {
        let title =
            title.isEmpty
            ? String((messages.first { $0.role == .user }?.content ?? "").prefix(ConversationStore.titleLength)) : title
        let outcome = try store.importConversation(
            discordID: owner.discordID, title: title, messages: messages, idempotencyKey: idempotencyKey,
            requestHash: Self.requestHash(title: title, messages: messages))
        switch outcome {
        case .created(let conversation): return (conversation, true)
        case .replayed(let conversation): return (conversation, false)
        case .keyReused: throw ConversationSyncError.idempotencyKeyReused
        }
    }

    public func delete(id: Int) throws {
        guard try store.delete(id: id, discordID: owner.discordID) else { throw ConversationSyncError.notFound }
    }

    /// What makes two uploads the same request: the title and every message's role, content and time.
    static func requestHash(title: String, messages: [NewConversationMessage]) -> [UInt8] {
        let canonical: JSON = [
            "title": .string(title),
            "messages": .array(
                messages.map { message in
                    [
                        "role": .string(message.role.rawValue), "content": .string(message.content),
                        "created_at": message.createdAt.map(ISO8601Timestamp.format).json,
                    ]
                }),
        ]
        return Array(SHA256.hash(data: Array(canonical.serialized.utf8)))
    }
}
