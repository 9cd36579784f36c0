import Foundation
import GuildGateCore
import JSONSupport
import Store

/// The body of `POST /api/sync/conversations`, checked by `ConversationSync`'s limits: `title` (a string of
/// at most 200 characters; empty or absent: from the first user message) and 1…1000 `messages`, each with
/// a `role` (user, assistant, system), a `content` of at most 32,000 characters and an optional
/// `created_at` (ISO 8601). A bad body is a 400 naming every bad field (`messages[3].role`).
struct ConversationUpload {
    let title: String
    let messages: [NewConversationMessage]

    init(_ body: JSON) throws(HTTPError) {
        var errors: [FieldError] = []
        title = Self.title(body["title"], errors: &errors)
        messages = Self.messages(body["messages"], errors: &errors)
        if !errors.isEmpty { throw .validation(errors) }
    }

    private static func title(_ value: JSON?, errors: inout [FieldError]) -> String {
        guard let value, value != .null else { return "" }
        guard let title = value.string?.trimmingCharacters(in: .whitespacesAndNewlines) else {
            errors.append(FieldError("title", "must be a string"))
            return ""
        }
        if title.count > ConversationSync.maxTitleLength {
            errors.append(FieldError("title", "must be at most \(ConversationSync.maxTitleLength) characters"))
        } else if title.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(FieldError("title", "must not contain control characters"))
        }
        return title
    }

    private static func messages(_ value: JSON?, errors: inout [FieldError]) -> [NewConversationMessage] {
        guard let items = value?.array else {
            errors.append(FieldError("messages", "must be an array of messages"))
            return []
        }
        guard (1...ConversationSync.maxMessages).contains(items.count) else {
            errors.append(FieldError("messages", "must hold from 1 to \(ConversationSync.maxMessages) messages"))
            return []
        }
        return items.enumerated().compactMap { index, item in message(item, field: "messages[\(index)]", errors: &errors) }
    }

    private static func message(_ item: JSON, field: String, errors: inout [FieldError]) -> NewConversationMessage? {
        guard item.object != nil else {
            errors.append(FieldError(field, "must be an object with role and content"))
            return nil
        }
        let roles = ConversationMessage.Role.allCases.map(\.rawValue)
        let role = item["role"]?.string.flatMap(ConversationMessage.Role.init(rawValue:))
        if role == nil { errors.append(FieldError("\(field).role", "must be one of: \(roles.joined(separator: ", "))")) }
        let content = item["content"]?.string
        if content == nil {
            errors.append(FieldError("\(field).content", "must be a string"))
        } else if let content, content.count > ConversationSync.maxContentLength {
            errors.append(FieldError("\(field).content", "must be at most \(ConversationSync.maxContentLength) characters"))
        }
        var createdAt: Date?
        if let value = item["created_at"], value != .null {
            createdAt = value.string.flatMap(ISO8601Timestamp.parse)
            if createdAt == nil {
                errors.append(FieldError("\(field).created_at", "must be an ISO 8601 time such as 2025-01-31T12:00:00Z"))
            }
        }
        guard let role, let content else { return nil }
        return NewConversationMessage(role: role, content: content, createdAt: createdAt)
    }
}
