/// The model's answer to a list of messages.
public struct ChatCompletion: Sendable, Equatable {
    /// Token counts as the backend reports them; each may be missing (llama.cpp and others omit some).
    public struct Usage: Sendable, Equatable {
        public let promptTokens: Int?
        public let completionTokens: Int?
        public let totalTokens: Int?

        public init(promptTokens: Int?, completionTokens: Int?, totalTokens: Int?) {
            self.promptTokens = promptTokens
            self.completionTokens = completionTokens
            self.totalTokens = totalTokens
        }
    }

    /// The answer text (``OpenAICompatibleClient`` never returns a blank one).
    public let content: String
    /// Why the model stopped: `stop`, `length` (cut off at the token limit), `content_filter`, ...
    public let finishReason: String?
    public let usage: Usage?

    public init(content: String, finishReason: String? = nil, usage: Usage? = nil) {
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
    }
}
