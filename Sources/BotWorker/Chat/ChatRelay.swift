import Foundation
import GuildGateCore
import Logging
import Store

/// Who asked for a command, and where.
struct CommandCaller: Sendable {
    let discordID: String
    let username: String
    let channelID: String?
    /// The message to reply to; nil for a slash command.
    let messageID: String?
    /// A message in a guild channel, where everyone in it reads along (a slash command's answer is private).
    let inGuildChannel: Bool

    var origin: ChatOrigin? {
        channelID.map { ChatOrigin(discordID: discordID, channelID: $0, messageID: messageID) }
    }
}

/// The chat relay's side of incoming messages: who may chat, recording a message in its conversation and
/// queuing the reply (the model is called by the `chat.reply` job, never on the gateway's or a lane's time);
/// and the chat commands `login`, `reset`, `aisync` and `image`.
struct ChatRelay: Sendable {
    let config: ChatConfig
    /// `BYPASS_AUTH` (loopback only): anyone may chat without a linked account.
    let bypassAuth: Bool
    let baseURL: String
    let logger: Logger

    /// Whether a message is for the relay: a DM or a mention, or any message with `RESPOND_TO_ALL_MESSAGES`.
    func hears(_ message: IncomingMessage) -> Bool {
        config.isEnabled && (message.isDirect || message.mentionsBot || config.respondToAllMessages)
    }

    /// Records the message and queues its reply; returns what to answer at once instead (the way to link an
    /// account, for someone who may not chat yet), nil when the reply is on its way or there is nothing to say.
    func converse(_ message: IncomingMessage, db: PostgresConnection) throws -> String? {
        // Without the MESSAGE_CONTENT intent a guild message that does not mention the bot arrives empty.
        guard !message.text.isEmpty else { return nil }
        guard try mayChat(message.authorID, db: db) else { return instructions }
        let origin = ChatOrigin(discordID: message.authorID, channelID: message.channelID, messageID: message.id)
        try db.transaction { db in
            let conversations = ConversationStore(db)
            let conversation = try conversations.openDiscordConversation(discordID: message.authorID)
            let stored = try conversations.append(
                conversationID: conversation.id, role: .user, content: message.text, discordMessageID: message.id)
            try JobStore(db).enqueue(
                .chatReply(ChatReplyRequest(origin: origin, conversationID: conversation.id, userMessageID: stored.id)))
        }
        return nil
    }

    /// What someone who may not chat yet is told, once per message; nothing goes to the model.
    var instructions: String {
        "To chat with me, link your Discord account first: fill in the form at \(baseURL)/onboarding and approve with Discord. "
            + "If onboarding gave you a verification code, send it to me in a DM as `/login <code>` (or use the `/login` "
            + "slash command, which only you see)."
    }

    private func mayChat(_ discordID: String, db: PostgresConnection) throws -> Bool {
        if bypassAuth { return true }
        return try UserStore(db).user(discordID: discordID)?.verified == true
    }

    // MARK: - Commands

    /// `/login <code>`: links the caller's Discord account to the onboarding the code belongs to, by the
    /// rules of the web's OAuth callback. A code posted in a guild channel is withdrawn instead: anyone
    /// reading the channel could have used it first.
    func login(code: String, caller: CommandCaller, db: PostgresConnection, now: Date) throws -> String {
        let code = code.trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty else { return "Send `/login <code>` with the verification code onboarding gave you." }
        guard !caller.inGuildChannel else {
            let withdrawn = try AccountLinking.withdraw(token: code, db: db)
            logger.notice("a verification code was posted in a guild channel", metadata: ["withdrawn": "\(withdrawn)"])
            return "Never post your code where others can read it: I cancelled it. Get a new one at \(baseURL)/onboarding "
                + "and send it to me in a DM, or use the `/login` slash command, which only you see."
        }
        do {
            guard let hash = Onboarding.tokenHash(code) else { throw CallbackFailure.invalidToken }
            let user = try AccountLinking.complete(
                tokenHash: hash, discordID: caller.discordID, discordUsername: caller.username, db: db, now: now,
                logger: logger)
            return "Linked: this Discord account now belongs to \(BotCommands.safe(user.name)) on \(baseURL). You can chat with me now."
        } catch CallbackFailure.invalidToken {
            return "That code is unknown, already used or expired (codes last \(Int(Onboarding.tokenLifetime / 60)) minutes). "
                + "Get a new one at \(baseURL)/onboarding."
        } catch let refusal as VerificationRefusal {
            return "\(refusal.title). \(refusal.advice)"
        }
    }

    /// `reset`: the next message starts a new conversation; the old one stays in the history.
    func reset(discordID: String, db: PostgresConnection) throws -> String {
        try ConversationStore(db).closeDiscordConversation(discordID: discordID)
            ? "Done: I have put our conversation away, and your next message starts a new one."
            : "We have no conversation going; just say something."
    }

    /// `aisync`: how many conversations the app can sync, and where.
    func syncStatus(discordID: String, db: PostgresConnection) throws -> String {
        let count = try ConversationStore(db).count(discordID: discordID)
        guard count > 0 else { return "You have no conversations to sync yet: chat with me and they appear in the app." }
        return "You have \(count) conversation\(count == 1 ? "" : "s") synced. The app shows them once you log in with Discord "
            + "(its API: \(baseURL)/api/sync/conversations)."
    }

    /// `image <prompt>`: queues a picture, posted where it was asked for when it is ready.
    func image(prompt: String, caller: CommandCaller, db: PostgresConnection) throws -> String {
        guard config.isEnabled, config.images else { return "I don't draw pictures on this server." }
        let prompt = prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { return "What should I draw? Say `image <what to draw>`." }
        guard prompt.count <= 1000 else { return "That is too long to draw: describe it in 1,000 characters or fewer." }
        guard try mayChat(caller.discordID, db: db) else { return instructions }
        guard let origin = caller.origin else { return "I cannot tell where to post the picture; ask me in a channel or a DM." }
        try JobStore(db).enqueue(.chatImage(ChatImageRequest(origin: origin, prompt: prompt)))
        return "Drawing “\(BotCommands.safe(prompt))”; I will post it here when it is ready."
    }
}
