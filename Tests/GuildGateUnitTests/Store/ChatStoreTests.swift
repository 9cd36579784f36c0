import Foundation
import GuildGateTesting
import JSONSupport
import Store
import Testing

/// The chat tables and the ordered job lanes, on the in-process tests' own database.
@Suite struct ChatStore {
    let app: TestApplication
    let db: PostgresConnection

    init() async throws {
        app = try await TestApplication()
        db = app.database()
    }

    private func uniqueDiscordID() -> String {
        String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
    }

    @Test func oneOpenDiscordConversationPerUserUntilReset() throws {
        let store = ConversationStore(db)
        let ann = uniqueDiscordID()
        let opened = try store.openDiscordConversation(discordID: ann)
        #expect(try store.openDiscordConversation(discordID: ann).id == opened.id)
        try store.append(conversationID: opened.id, role: .user, content: "What is the plan for tonight?", discordMessageID: "1")
        try store.append(conversationID: opened.id, role: .assistant, content: "Dinner.", discordMessageID: "2")
        let listed = try #require(try store.conversation(id: opened.id, discordID: ann))
        #expect(listed.title == "What is the plan for tonight?" && listed.messageCount == 2 && listed.source == .discord)

        #expect(try store.closeDiscordConversation(discordID: ann))
        #expect(try store.closeDiscordConversation(discordID: ann) == false)
        let next = try store.openDiscordConversation(discordID: ann)
        #expect(next.id != opened.id && next.closedAt == nil)
        #expect(try store.list(discordID: ann, limit: 10).map(\.id) == [next.id, opened.id])
    }

    @Test func recentMessagesAreTheNewestOldestFirst() throws {
        let store = ConversationStore(db)
        let conversation = try store.openDiscordConversation(discordID: uniqueDiscordID())
        for index in 1...5 { try store.append(conversationID: conversation.id, role: .user, content: "m\(index)") }
        #expect(try store.recentMessages(conversationID: conversation.id, limit: 3).map(\.content) == ["m3", "m4", "m5"])
    }

    @Test func nobodyReachesAnotherUsersConversation() throws {
        let store = ConversationStore(db)
        let (ann, bob) = (uniqueDiscordID(), uniqueDiscordID())
        let conversation = try store.openDiscordConversation(discordID: ann)
        try store.append(conversationID: conversation.id, role: .user, content: "secret")
        #expect(try store.conversation(id: conversation.id, discordID: bob) == nil)
        #expect(try store.messages(conversationID: conversation.id, discordID: bob).isEmpty)
        #expect(try store.delete(id: conversation.id, discordID: bob) == false)
        #expect(try store.list(discordID: bob, limit: 10).isEmpty)
        #expect(try store.delete(id: conversation.id, discordID: ann))
    }

    @Test func anIdempotencyKeyReplaysTheSameImportAndRefusesAnotherBody() throws {
        let store = ConversationStore(db)
        let ann = uniqueDiscordID()
        let messages = [NewConversationMessage(role: .user, content: "hi"), NewConversationMessage(role: .assistant, content: "hello")]
        guard
            case .created(let created) = try store.importConversation(
                discordID: ann, title: "Greeting", messages: messages, idempotencyKey: "key-1", requestHash: [1, 2, 3])
        else { Issue.record("not created"); return }
        #expect(created.messageCount == 2 && created.source == .app)
        #expect(
            try store.importConversation(
                discordID: ann, title: "Greeting", messages: messages, idempotencyKey: "key-1", requestHash: [1, 2, 3])
                == .replayed(created))
        #expect(
            try store.importConversation(discordID: ann, title: "Other", messages: messages, idempotencyKey: "key-1", requestHash: [9])
                == .keyReused)
        // The same key is another user's own.
        guard
            case .created = try store.importConversation(
                discordID: uniqueDiscordID(), title: "Greeting", messages: messages, idempotencyKey: "key-1", requestHash: [1, 2, 3])
        else { Issue.record("another user's key collided"); return }
        #expect(try store.count(discordID: ann) == 1)
    }

    @Test func jobsWithOneOrderingKeyRunOneAtATimeInOrder() throws {
        let jobs = JobStore(db)
        let kind = "test.ordered.\(UUID().uuidString.prefix(8))"
        let lane = JobLane.only([kind])
        let key = "chat:\(uniqueDiscordID())"
        let first = try jobs.enqueue(kind: kind, orderingKey: key)
        let second = try jobs.enqueue(kind: kind, orderingKey: key)
        let other = try jobs.enqueue(kind: kind, orderingKey: "chat:other-\(key)")

        let claimed = try #require(try jobs.claim(worker: "w1", lease: .seconds(60), lane: lane))
        #expect(claimed.id == first.id)
        // The second waits for the first; another key's job does not.
        #expect(try jobs.claim(worker: "w2", lease: .seconds(60), lane: lane)?.id == other.id)
        #expect(try jobs.claim(worker: "w3", lease: .seconds(60), lane: lane) == nil)
        try jobs.succeed(claimed, worker: "w1", result: [:])
        #expect(try jobs.claim(worker: "w3", lease: .seconds(60), lane: lane)?.id == second.id)
    }

    @Test func aLaneClaimsOnlyItsKinds() throws {
        let jobs = JobStore(db)
        let mine = "test.lane.\(UUID().uuidString.prefix(8))"
        let theirs = "test.lane.\(UUID().uuidString.prefix(8))"
        let queued = try jobs.enqueue(kind: theirs)
        #expect(try jobs.claim(worker: "w", lease: .seconds(60), lane: .only([mine])) == nil)
        #expect(try jobs.claim(worker: "w", lease: .seconds(60), lane: .only([theirs]))?.id == queued.id)
    }
}
