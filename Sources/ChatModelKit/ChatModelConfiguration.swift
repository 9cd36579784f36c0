/// Where the OpenAI-compatible backend is and which models to ask.
public struct ChatModelConfiguration: Sendable {
    /// e.g. `https://api.openai.com/v1`, without a trailing slash (the initialiser removes any).
    public let apiBase: String
    /// Sent as `Authorization: Bearer`; nil (or blank) sends no `Authorization` (local servers).
    public let apiKey: String?
    public let model: String
    public let voiceModel: String
    public let voiceName: String
    public let imageModel: String
    /// How long each request may take, from connecting to the last byte of the answer.
    public let timeout: Duration

    public init(
        apiBase: String, apiKey: String?, model: String, voiceModel: String, voiceName: String, imageModel: String,
        timeout: Duration
    ) {
        var base = Substring(apiBase)
        while base.hasSuffix("/") { base = base.dropLast() }
        self.apiBase = String(base)
        self.apiKey = apiKey.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        self.model = model
        self.voiceModel = voiceModel
        self.voiceName = voiceName
        self.imageModel = imageModel
        self.timeout = timeout
    }
}
