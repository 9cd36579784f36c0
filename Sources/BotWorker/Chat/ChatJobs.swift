import ChatModelKit
import DiscordKit
import Foundation
import GuildGateCore
import JSONSupport
import Logging
import Store

/// The chat relay's jobs: `chat.reply` answers a recorded message with the model, `chat.image` draws a
/// picture. Each runs on a chat worker's thread with "typing…" shown meanwhile. A backend that fails or is
/// slow gets the user one friendly reply, and the job fails with the error kept: never a crash or silence.
struct ChatJobs: Sendable {
    let config: ChatConfig
    let databaseURL: String
    let typing: TypingIndicator
    let logger: Logger
    let discord: @Sendable () -> DiscordClient
    let model: @Sendable () -> any ChatModel

    /// How many messages back the history is read before the token budget trims it.
    static let historyWindow = 200

    func reply(_ request: ChatReplyRequest) throws -> JSON {
        let db = PostgresConnection(url: databaseURL)
        let discord = discord()
        let origin = request.origin
        let prompt = try prompt(for: request, db: db)
        let completion = try answering(origin, discord) {
            try typing.during(channelID: origin.channelID) { try model().complete(prompt.messages) }
        }
        // The first reply that leaves older messages out says so; later ones do not repeat it.
        let notice = (1...2).contains(prompt.omittedMessages) ? "\n\n" + Self.historyNotice : ""
        let pieces = ReplySplitter.split(completion.content + notice)
        var firstID: String?
        for (index, piece) in pieces.enumerated() {
            let posted = try discord.sendMessage(piece, channelID: origin.channelID, replyingTo: index == 0 ? origin.messageID : nil)
            firstID = firstID ?? posted.id
        }
        try ConversationStore(db).append(
            conversationID: request.conversationID, role: .assistant, content: completion.content, discordMessageID: firstID)
        let spoken = config.voice && speak(completion.content, to: origin, discord)
        return [
            "messages": .int(pieces.count), "omitted_history": .int(prompt.omittedMessages), "voice": .bool(spoken),
            "conversation_id": .int(request.conversationID),
        ]
    }

    func image(_ request: ChatImageRequest) throws -> JSON {
        let discord = discord()
        let origin = request.origin
        let picture = try answering(origin, discord) {
            try typing.during(channelID: origin.channelID) { try model().image(prompt: request.prompt) }
        }
        var draft = MessageDraft(content: "“\(BotCommands.safe(request.prompt))”", replyingTo: origin.messageID)
        draft.beginFile(filename: picture.fileName)
        picture.bytes.withUnsafeBytes { draft.append($0) }
        draft.endFile()
        let posted = try discord.createMessage(channelID: origin.channelID, body: draft.finish())
        return ["message_id": .string(posted.id), "bytes": .int(picture.bytes.count)]
    }

    static let historyNotice = "_(Our conversation is getting long, so I only remember its latest messages. Say `reset` to start afresh.)_"

    /// The personality's system prompt, then the conversation up to the message being answered.
    private func prompt(for request: ChatReplyRequest, db: PostgresConnection) throws -> ChatPrompt {
        let personality = try UserStore(db).user(discordID: request.discordID)?.personality ?? OnboardingDetails.personalities[0]
        let systemPrompt = try ChatPersonalityStore(db).personality(name: personality)?.prompt ?? ""
        let history = try ConversationStore(db).recentMessages(conversationID: request.conversationID, limit: Self.historyWindow)
            .filter { $0.id <= request.userMessageID }
        return ChatPrompt.build(systemPrompt: systemPrompt, history: history, budgetTokens: config.historyTokens)
    }

    /// Runs the model call; when it fails, tells the user once and rethrows for the job to keep.
    private func answering<T>(_ origin: ChatOrigin, _ discord: DiscordClient, _ call: () throws -> T) throws -> T {
        do {
            return try call()
        } catch {
            logger.warning("the chat backend failed", metadata: ["error": "\(error)", "channel_id": "\(origin.channelID)"])
            do {
                try discord.sendMessage(Self.apology(for: error), channelID: origin.channelID, replyingTo: origin.messageID)
            } catch let refusal {
                logger.error("cannot tell the user the chat backend failed", metadata: ["error": "\(refusal)"])
            }
            throw error
        }
    }

    static func apology(for error: any Error) -> String {
        switch error as? ChatModelError {
        case .timedOut?: return "Sorry, I took too long to think about that. Please try again in a moment."
        case .rateLimited?: return "Sorry, a lot of people are talking to me right now. Please try again in a minute."
        default: return "Sorry, I cannot answer right now: my chat service is not available. Please try again later."
        }
    }

    /// Posts the reply as speech too; a failure is logged and leaves the text reply as it is.
    private func speak(_ text: String, to origin: ChatOrigin, _ discord: DiscordClient) -> Bool {
        do {
            let audio = try model().speech(text)
            var draft = MessageDraft(content: "", replyingTo: origin.messageID)
            draft.beginFile(filename: "reply.mp3")
            audio.withUnsafeBytes { draft.append($0) }
            draft.endFile()
            try discord.createMessage(channelID: origin.channelID, body: draft.finish())
            return true
        } catch {
            logger.warning("cannot post the voice reply", metadata: ["error": "\(error)", "channel_id": "\(origin.channelID)"])
            return false
        }
    }
}
