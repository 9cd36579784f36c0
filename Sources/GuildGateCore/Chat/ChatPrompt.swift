import ChatModelKit
import Store

/// What goes to the model for one answer: the personality's system prompt, then as much of the
/// conversation as the token budget allows.
public struct ChatPrompt: Sendable, Equatable {
    /// The system prompt, then the newest history messages that fit the budget, oldest first.
    public let messages: [ChatMessage]
    /// How many older history messages were left out for the budget (so the user can be told).
    public let omittedMessages: Int

    /// - Parameters:
    ///   - history: the conversation, oldest first. Its `system` rows are skipped: the system prompt
    ///     takes their place.
    ///   - budgetTokens: how many tokens of history may go (the system prompt is not counted). The newest
    ///     message always goes, cut to the budget if it alone exceeds it.
    public static func build(systemPrompt: String, history: [ConversationMessage], budgetTokens: Int) -> ChatPrompt {
        let conversation = history.filter { $0.role != .system }
        var kept: [ChatMessage] = []
        var used = 0
        for message in conversation.reversed() {
            let cost = estimatedTokens(message.content)
            guard used + cost <= budgetTokens else {
                if kept.isEmpty {
                    kept.append(ChatMessage(role: role(message.role), content: cut(message.content, toTokens: budgetTokens)))
                }
                break
            }
            used += cost
            kept.append(ChatMessage(role: role(message.role), content: message.content))
        }
        return ChatPrompt(
            messages: [ChatMessage(role: .system, content: systemPrompt)] + kept.reversed(),
            omittedMessages: conversation.count - kept.count)
    }

    /// A message's size in tokens, estimated without a tokenizer: one token per four UTF-8 bytes (rounded
    /// up; about right for English with OpenAI's tokenizers, generous for most other text), plus four for
    /// the role and the framing the chat format adds around each message.
    static func estimatedTokens(_ content: String) -> Int {
        (content.utf8.count + 3) / 4 + 4
    }

    /// The start of `content` whose estimate is at most `tokens`, cut at a character boundary.
    private static func cut(_ content: String, toTokens tokens: Int) -> String {
        let bytes = max(0, tokens - 4) * 4
        var used = 0
        var end = content.startIndex
        for index in content.indices {
            used += content[index].utf8.count
            guard used <= bytes else { break }
            end = content.index(after: index)
        }
        return String(content[..<end])
    }

    private static func role(_ role: ConversationMessage.Role) -> ChatMessage.Role {
        switch role {
        case .system: return .system
        case .user: return .user
        case .assistant: return .assistant
        }
    }
}
