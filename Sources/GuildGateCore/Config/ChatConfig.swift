/// The chat relay's settings: the OpenAI-compatible backend, who the bot answers, and its limits.
public struct ChatConfig: Sendable, Equatable {
    /// `CHAT_API_BASE`, e.g. `https://api.openai.com/v1` or a local llama.cpp/vLLM server; nil: no chat.
    public var apiBase: String?
    public var apiKey: String?
    public var model: String
    /// `RESPOND_TO_ALL_MESSAGES`: answer every message in the guild's channels, not only DMs and mentions.
    public var respondToAllMessages: Bool
    /// `CHAT_VOICE`: each reply also comes as an mp3 from the backend's `POST /audio/speech`.
    public var voice: Bool
    public var voiceModel: String
    public var voiceName: String
    /// `CHAT_IMAGES`: `image <prompt>` queues a picture from `POST /images/generations`.
    public var images: Bool
    public var imageModel: String
    /// How much earlier conversation goes to the model, in tokens (estimated at four characters each).
    public var historyTokens: Int
    /// Chat messages each Discord user may send per minute.
    public var messagesPerMinute: Int
    /// How long the backend may take for one answer.
    public var timeoutSeconds: Int
    /// Replies the bot works on at once (for different users; one user's are answered in order).
    public var workers: Int

    /// Whether the relay is on.
    public var isEnabled: Bool { apiBase != nil }

    init(_ read: SettingValues) throws(ConfigError) {
        apiBase = try read.value("CHAT_API_BASE").map { _ throws(ConfigError) in
            try read.url("CHAT_API_BASE", default: "https://api.openai.com/v1", schemes: ["https"])
        }
        apiKey = read.value("CHAT_API_KEY")
        model = read.value("CHAT_MODEL") ?? "gpt-4o-mini"
        respondToAllMessages = read.flag("RESPOND_TO_ALL_MESSAGES")
        voice = read.flag("CHAT_VOICE")
        voiceModel = read.value("CHAT_VOICE_MODEL") ?? "tts-1"
        voiceName = read.value("CHAT_VOICE_NAME") ?? "alloy"
        images = read.flag("CHAT_IMAGES")
        imageModel = read.value("CHAT_IMAGE_MODEL") ?? "dall-e-3"
        historyTokens = try read.positiveInteger("CHAT_HISTORY_TOKENS") ?? 3000
        messagesPerMinute = try read.positiveInteger("CHAT_MESSAGES_PER_MINUTE") ?? 10
        timeoutSeconds = try read.positiveInteger("CHAT_TIMEOUT_SECONDS", atMost: 600) ?? 60
        workers = try read.positiveInteger("CHAT_WORKERS", atMost: 32) ?? 4
    }
}
