import ChatModelKit
import GuildGateCore
import Testing

@testable import Store

@Suite struct ChatPromptTests {
    /// Each message costs (bytes + 3) / 4 + 4 tokens: 40 bytes cost 14.
    static func message(_ id: Int, _ role: ConversationMessage.Role, _ content: String) throws -> ConversationMessage {
        let columns = ["id", "role", "content", "discord_message_id", "created_at"]
        let row = Row(
            values: [String(id), role.rawValue, content, nil, "2025-01-01 12:00:00+00"],
            index: Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($1, $0) }))
        return try ConversationMessage(row)
    }

    static func text(_ label: String) -> String {
        label + String(repeating: ".", count: 40 - label.utf8.count)
    }

    @Test func theBudgetKeepsTheNewestMessagesAndCountsTheOthers() throws {
        let history = try (1...6).map { try Self.message($0, $0 % 2 == 1 ? .user : .assistant, Self.text("m\($0)")) }
        let prompt = ChatPrompt.build(systemPrompt: "Be brief.", history: history, budgetTokens: 45)
        #expect(prompt.messages.map(\.content) == ["Be brief.", Self.text("m4"), Self.text("m5"), Self.text("m6")])
        #expect(prompt.messages.map(\.role) == [.system, .assistant, .user, .assistant])
        #expect(prompt.omittedMessages == 3)
    }

    @Test func aHistoryWithinTheBudgetGoesWhole() throws {
        let history = try (1...3).map { try Self.message($0, .user, Self.text("m\($0)")) }
        let prompt = ChatPrompt.build(systemPrompt: "Be brief.", history: history, budgetTokens: 42)
        #expect(prompt.messages.count == 4)
        #expect(prompt.omittedMessages == 0)
    }

    @Test func theNewestMessageGoesEvenWhenItAloneExceedsTheBudget() throws {
        let long = String(repeating: "é", count: 500)  // 1,000 bytes: 254 tokens
        let history = [try Self.message(1, .user, "hi"), try Self.message(2, .user, long)]
        let prompt = ChatPrompt.build(systemPrompt: "Be brief.", history: history, budgetTokens: 20)
        #expect(prompt.messages.count == 2)
        let kept = try #require(prompt.messages.last)
        #expect(kept.role == .user)
        #expect(kept.content == String(repeating: "é", count: 32))  // (20 - 4) * 4 bytes
        #expect(prompt.omittedMessages == 1)
    }

    @Test func systemRowsOfTheHistoryAreSkipped() throws {
        let history = [
            try Self.message(1, .system, "You are a pirate."), try Self.message(2, .user, "hello"),
            try Self.message(3, .system, "Old instructions."), try Self.message(4, .assistant, "Hi!"),
        ]
        let prompt = ChatPrompt.build(systemPrompt: "Be brief.", history: history, budgetTokens: 1_000)
        #expect(
            prompt.messages == [
                .init(role: .system, content: "Be brief."), .init(role: .user, content: "hello"), .init(role: .assistant, content: "Hi!"),
            ])
        #expect(prompt.omittedMessages == 0)
    }
}
