import Foundation
import GuildGateCore
import JSONSupport
import Store

/// The conversation sync API (seed 003's Flutter app): a Discord user's conversations with the bot, read,
/// uploaded, deleted and exported with the Discord access token the app signed in with
/// (`ConversationSync` has the rules; `RouteAccess.discordToken` the authentication). Cookies are ignored,
/// so no CSRF token is owed.
enum ConversationSyncRoutes {
    /// The largest upload body: 1 MiB (nginx's own limit outside the file routes).
    static let bodyLimit = 1 << 20
    static let exportFormat = "guildgate.conversations.v1"

    static func register(on router: inout Router) {
        router.get("/api/sync/conversations", .discordToken, list)
        router.post("/api/sync/conversations", .discordToken, csrf: .notNeeded, create)
        router.get("/api/sync/conversations/{id}", .discordToken) { request, context in
            .json(json(try sync(context).transcript(id: try request.idParameter())))
        }
        router.delete("/api/sync/conversations/{id}", .discordToken, csrf: .notNeeded) { request, context in
            try sync(context).delete(id: try request.idParameter())
            return Response(status: .noContent)
        }
        router.get("/api/sync/export", .discordToken, export)
    }

    private static func sync(_ context: RequestContext) throws -> ConversationSync {
        ConversationSync(db: context.db, owner: try context.verifiedTokenOwner())
    }

    private static func list(_ request: Request, _ context: RequestContext) throws -> Response {
        let query = try ListQuery(request, maxLimit: ConversationSync.maxPageSize)
        let (conversations, nextBefore) = try sync(context).page(limit: query.limit, beforeID: query.beforeID)
        return .json(["conversations": .array(conversations.map(json)), "next_before": nextBefore.map(JSON.int) ?? .null])
    }

    /// 201 with `Location` for a new conversation; 200 with the same one for a repeated Idempotency-Key.
    private static func create(_ request: Request, _ context: RequestContext) throws -> Response {
        let key = try idempotencyKey(request)
        let upload = try ConversationUpload(try request.jsonObject(limit: bodyLimit))
        let (conversation, created) = try sync(context).create(title: upload.title, messages: upload.messages, idempotencyKey: key)
        var response = Response.json(json(conversation), status: created ? .created : .ok)
        response.addHeader("Location", "/api/sync/conversations/\(conversation.id)")
        return response
    }

    /// `Idempotency-Key`: 1…255 printable ASCII characters, or none.
    private static func idempotencyKey(_ request: Request) throws(HTTPError) -> String? {
        guard let key = request.header("idempotency-key") else { return nil }
        guard !key.isEmpty, key.utf8.count <= ConversationSync.maxIdempotencyKeyLength,
            key.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else {
            throw .validation([
                FieldError("Idempotency-Key", "must be 1 to \(ConversationSync.maxIdempotencyKeyLength) printable ASCII characters")
            ])
        }
        return key
    }

    private static func export(_ request: Request, _ context: RequestContext) throws -> Response {
        let sync = try sync(context)
        return .json([
            "format": .string(exportFormat), "exported_at": .string(ISO8601Timestamp.format(context.now)),
            "discord_user": ["id": .string(sync.owner.discordID), "username": .string(sync.owner.username)],
            "conversations": .array(try sync.export().map(json)),
        ])
    }

    static func json(_ conversation: Conversation) -> JSON {
        .object(members(conversation))
    }

    /// The conversation with its `messages`.
    static func json(_ transcript: ConversationSync.Transcript) -> JSON {
        .object(members(transcript.conversation) + [("messages", .array(transcript.messages.map(json)))])
    }

    private static func members(_ conversation: Conversation) -> [(String, JSON)] {
        [
            ("id", .int(conversation.id)), ("title", .string(conversation.title)), ("source", .string(conversation.source.rawValue)),
            ("message_count", .int(conversation.messageCount)), ("created_at", .string(ISO8601Timestamp.format(conversation.createdAt))),
            ("updated_at", .string(ISO8601Timestamp.format(conversation.updatedAt))),
            ("closed_at", conversation.closedAt.map(ISO8601Timestamp.format).json),
        ]
    }

    static func json(_ message: ConversationMessage) -> JSON {
        [
            "role": .string(message.role.rawValue), "content": .string(message.content),
            "created_at": .string(ISO8601Timestamp.format(message.createdAt)), "discord_message_id": message.discordMessageID.json,
        ]
    }
}
