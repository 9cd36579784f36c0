import Foundation
import JSONSupport
import Store

/// The admin panel's side of the chat personalities onboarding offers (friendly, loving, professional,
/// playful): each one's system prompt, read and changed; each change is audited in the transaction that
/// makes it.
public struct PersonalityAdministration {
    public static let maxPromptLength = 4000

    let db: PostgresConnection
    let actor: AuditActor

    public init(db: PostgresConnection, actor: AuditActor) {
        self.db = db
        self.actor = actor
    }

    public func personalities() throws -> [ChatPersonality] {
        try ChatPersonalityStore(db).all()
    }

    public func personality(name: String) throws -> ChatPersonality {
        guard let personality = try ChatPersonalityStore(db).personality(name: name) else {
            throw PersonalityAdministrationError.notFound(name: name)
        }
        return personality
    }

    /// Saves `prompt` (trimmed, line breaks as `\n`) as the personality's system prompt.
    public func update(name: String, prompt: String) throws -> ChatPersonality {
        let prompt = try Self.validated(prompt)
        return try db.transaction { db in
            let store = ChatPersonalityStore(db)
            guard let before = try store.personality(name: name), try store.update(name: name, prompt: prompt, by: actor.description),
                let after = try store.personality(name: name)
            else { throw PersonalityAdministrationError.notFound(name: name) }
            try AuditLogStore(db).record(
                actor: actor, action: "chat.personality.update", target: AuditTarget.personality(name),
                detail: ["prompt": .string(after.prompt), "before": .string(before.prompt)])
            return after
        }
    }

    static func validated(_ prompt: String) throws(PersonalityAdministrationError) -> String {
        let prompt = prompt.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { throw .invalidPrompt(reason: "is required") }
        guard prompt.count <= maxPromptLength else { throw .invalidPrompt(reason: "must be at most \(maxPromptLength) characters") }
        guard !prompt.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) else {
            throw .invalidPrompt(reason: "must not contain control characters other than line breaks and tabs")
        }
        return prompt
    }
}
