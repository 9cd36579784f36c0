import JSONSupport
import Store

/// The jobs guildgate-bot runs, each with its typed payload: the one place where job kinds are named and
/// their payloads written and read.
public enum BackgroundJob: Sendable, Equatable {
    /// Asks the gateway for the guild's members and presences and marks those not returned offline
    /// (coalesced with requests less than Discord's 30 s apart).
    case presenceReconcile(guildID: String?, requestedBy: String)
    /// Deletes from Discord the messages of failed, deleted and abandoned uploads (`fileID` names the one
    /// that prompted it; the run sweeps every candidate).
    case filesCleanup(fileID: Int?)
    /// Gives each linked member exactly the mapped roles of their groups (only `discordID` when set).
    case groupsVerify(discordID: String?, requestedBy: String)
    /// Reads the guild's whole member list (paged), records it, then verifies everyone.
    case groupsRemoteSync(requestedBy: String)
    /// Applies the nickname template and refreshes usernames and display names.
    case nicknamesUpdate(requestedBy: String)
    /// Answers a chat message already recorded in its conversation.
    case chatReply(ChatReplyRequest)
    /// Draws a picture for `image <prompt>` and posts it where it was asked for.
    case chatImage(ChatImageRequest)
    /// Deletes presence history older than `GUILDGATE_PRESENCE_HISTORY_DAYS`.
    case presenceHistoryPrune

    public enum Kind: String, Sendable, CaseIterable {
        case presenceReconcile = "presence.reconcile"
        case filesCleanup = "files.cleanup"
        case groupsVerify = "groups.verify"
        case groupsRemoteSync = "groups.remote_sync"
        case nicknamesUpdate = "nicknames.update"
        case chatReply = "chat.reply"
        case chatImage = "chat.image"
        case presenceHistoryPrune = "presence.history_prune"

        /// The kinds the chat workers run, beside the bot's other work.
        public static let chat: Set<Kind> = [.chatReply, .chatImage]
    }

    public var kind: Kind {
        switch self {
        case .presenceReconcile: return .presenceReconcile
        case .filesCleanup: return .filesCleanup
        case .groupsVerify: return .groupsVerify
        case .groupsRemoteSync: return .groupsRemoteSync
        case .nicknamesUpdate: return .nicknamesUpdate
        case .chatReply: return .chatReply
        case .chatImage: return .chatImage
        case .presenceHistoryPrune: return .presenceHistoryPrune
        }
    }

    /// Jobs with the same key run one at a time, in order: one user's chat, answered in turn.
    public var orderingKey: String? {
        switch self {
        case .chatReply(let request): return "chat:\(request.discordID)"
        case .chatImage(let request): return "chat:\(request.discordID)"
        default: return nil
        }
    }

    /// A chat job runs once: a failure is answered in Discord straight away, and a reply minutes late
    /// would answer a conversation that has moved on.
    public var maxAttempts: Int {
        Kind.chat.contains(kind) ? 1 : 5
    }

    /// Who asked: `schedule`, `admin:<name>`, `api`, `discord`.
    public var requestedBy: String? {
        switch self {
        case .presenceReconcile(_, let by), .groupsVerify(_, let by), .groupsRemoteSync(let by), .nicknamesUpdate(let by): return by
        case .filesCleanup, .chatReply, .chatImage, .presenceHistoryPrune: return nil
        }
    }

    public var payload: JSON {
        switch self {
        case .presenceReconcile(let guildID, let requestedBy):
            return ["guild_id": guildID.map(JSON.string) ?? .null, "requested_by": .string(requestedBy)]
        case .filesCleanup(let fileID):
            return ["file_id": fileID.map(JSON.int) ?? .null]
        case .groupsVerify(let discordID, let requestedBy):
            return ["discord_id": discordID.map(JSON.string) ?? .null, "requested_by": .string(requestedBy)]
        case .groupsRemoteSync(let requestedBy), .nicknamesUpdate(let requestedBy):
            return ["requested_by": .string(requestedBy)]
        case .chatReply(let request):
            return request.payload
        case .chatImage(let request):
            return request.payload
        case .presenceHistoryPrune:
            return [:]
        }
    }

    /// The job a queued row describes; nil for a kind this version does not know.
    public init?(kind: String, payload: JSON) {
        switch Kind(rawValue: kind) {
        case .presenceReconcile?:
            self = .presenceReconcile(guildID: payload["guild_id"]?.string, requestedBy: payload["requested_by"]?.string ?? "unknown")
        case .filesCleanup?:
            self = .filesCleanup(fileID: payload["file_id"]?.integer)
        case .groupsVerify?:
            self = .groupsVerify(discordID: payload["discord_id"]?.string, requestedBy: payload["requested_by"]?.string ?? "unknown")
        case .groupsRemoteSync?:
            self = .groupsRemoteSync(requestedBy: payload["requested_by"]?.string ?? "unknown")
        case .nicknamesUpdate?:
            self = .nicknamesUpdate(requestedBy: payload["requested_by"]?.string ?? "unknown")
        case .chatReply?:
            guard let request = ChatReplyRequest(payload) else { return nil }
            self = .chatReply(request)
        case .chatImage?:
            guard let request = ChatImageRequest(payload) else { return nil }
            self = .chatImage(request)
        case .presenceHistoryPrune?:
            self = .presenceHistoryPrune
        case nil:
            return nil
        }
    }
}

extension JobStore {
    /// Queues `job` (the insert trigger wakes the bot).
    @discardableResult
    public func enqueue(_ job: BackgroundJob) throws(StoreError) -> Job {
        try enqueue(kind: job.kind.rawValue, payload: job.payload, maxAttempts: job.maxAttempts, orderingKey: job.orderingKey)
    }
}
