import CurlHTTP
import JSONSupport

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A ``ChatModel`` over OpenAI's REST API, as OpenAI, OpenRouter, llama.cpp's server and vLLM serve it:
/// `POST /chat/completions` (never streamed), `POST /audio/speech` and `POST /images/generations`.
/// One request per call and no retries: the job that calls it decides (see ``ChatModelError/isRetryable``).
public struct OpenAICompatibleClient: ChatModel {
    /// OpenAI refuses longer speech input; longer text is cut to this many characters before sending.
    public static let maxSpeechCharacters = 4096

    public let configuration: ChatModelConfiguration
    let transport: any HTTPTransport

    public init(configuration: ChatModelConfiguration, transport: any HTTPTransport) {
        self.configuration = configuration
        self.transport = transport
    }

    public func complete(_ messages: [ChatMessage]) throws(ChatModelError) -> ChatCompletion {
        let body: JSON = [
            "model": .string(configuration.model),
            "messages": .array(messages.map { ["role": .string($0.role.rawValue), "content": .string($0.content)] }),
        ]
        let json = try parse(try post("/chat/completions", body))
        guard let choice = json["choices"]?.array?.first else {
            let reason = ChatModelError.message(in: json, redacting: configuration.apiKey).map { ": \($0)" } ?? ""
            throw .invalidResponse("the answer has no choices\(reason)")
        }
        let finishReason = choice["finish_reason"]?.string
        guard let content = choice["message"]?["content"]?.string, content.contains(where: { !$0.isWhitespace }) else {
            throw .invalidResponse("the answer has no text" + (finishReason.map { " (finish_reason \($0))" } ?? ""))
        }
        let usage = json["usage"].flatMap { usage in
            usage.object.map { _ in
                ChatCompletion.Usage(
                    promptTokens: usage["prompt_tokens"]?.wholeNumber, completionTokens: usage["completion_tokens"]?.wholeNumber,
                    totalTokens: usage["total_tokens"]?.wholeNumber)
            }
        }
        return ChatCompletion(content: content, finishReason: finishReason, usage: usage)
    }

    public func speech(_ text: String) throws(ChatModelError) -> [UInt8] {
        let body: JSON = [
            "model": .string(configuration.voiceModel), "input": .string(Self.speechInput(text)),
            "voice": .string(configuration.voiceName), "response_format": "mp3",
        ]
        let response = try post("/audio/speech", body)
        let contentType = response.headers["Content-Type"]?.lowercased() ?? ""
        guard !contentType.hasPrefix("application/json"), !contentType.hasPrefix("text/") else {
            throw .invalidResponse("the speech answer is \(contentType), not audio")
        }
        guard !response.body.isEmpty else { throw .invalidResponse("the speech answer is empty") }
        return response.body
    }

    public func image(prompt: String) throws(ChatModelError) -> GeneratedImage {
        let body: JSON = [
            "model": .string(configuration.imageModel), "prompt": .string(prompt), "n": 1, "response_format": "b64_json",
        ]
        guard let first = try parse(try post("/images/generations", body))["data"]?.array?.first else {
            throw .invalidResponse("the image answer has no data")
        }
        let bytes: [UInt8]
        if let encoded = first["b64_json"]?.string {
            guard let decoded = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw .invalidResponse("the image's b64_json is not base64")
            }
            bytes = Array(decoded)
        } else if let url = first["url"]?.string {
            bytes = try download(url)
        } else {
            throw .invalidResponse("the image answer has neither b64_json nor url")
        }
        guard let image = GeneratedImage(sniffing: bytes) else {
            throw .invalidResponse("the generated image is not a PNG, JPEG, WebP or GIF file")
        }
        return image
    }

    /// `text` cut to ``maxSpeechCharacters`` Unicode scalars (what OpenAI counts), at a character boundary.
    static func speechInput(_ text: String) -> String {
        var scalars = 0
        var end = text.startIndex
        for index in text.indices {
            scalars += text[index].unicodeScalars.count
            guard scalars <= maxSpeechCharacters else { break }
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    // MARK: - HTTP

    private func post(_ path: String, _ body: JSON) throws(ChatModelError) -> HTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let key = configuration.apiKey { headers.add(name: "Authorization", value: "Bearer " + key) }
        let request = HTTPRequest(
            method: "POST", url: configuration.apiBase + path, headers: headers, body: Array(body.serialized(escapingHTML: false).utf8),
            timeout: configuration.timeout)
        let response = try send(request)
        guard response.isSuccess else { throw ChatModelError.from(response, redacting: configuration.apiKey) }
        return response
    }

    /// Fetches an image the backend only linked to. The URL usually points at another host (a storage
    /// bucket), so the API key is not sent along.
    private func download(_ url: String) throws(ChatModelError) -> [UInt8] {
        let scheme = url.prefix { $0 != ":" }.lowercased()
        guard scheme == "https" || scheme == "http" else {
            throw .invalidResponse("the image URL is not an http or https URL")
        }
        let response = try send(HTTPRequest(method: "GET", url: url, timeout: configuration.timeout))
        guard response.isSuccess else {
            throw .invalidResponse("downloading the generated image answered HTTP \(response.status)")
        }
        return response.body
    }

    private func send(_ request: HTTPRequest) throws(ChatModelError) -> HTTPResponse {
        do {
            return try transport.send(request)
        } catch {
            throw ChatModelError(error)
        }
    }

    private func parse(_ response: HTTPResponse) throws(ChatModelError) -> JSON {
        guard let json = JSON.parse(response.body), json.object != nil else {
            throw .invalidResponse("the answer is not a JSON object")
        }
        return json
    }
}
