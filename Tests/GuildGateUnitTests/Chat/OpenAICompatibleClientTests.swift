import ChatModelKit
import CurlHTTP
import GuildGateTesting
import JSONSupport
import Testing

@Suite struct OpenAICompatibleClientTests {
    static let key = "sk-test-0123456789"
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]

    static func client(_ transport: FakeTransport, key: String? = key) -> OpenAICompatibleClient {
        let configuration = ChatModelConfiguration(
            apiBase: "https://llm.example/v1/", apiKey: key, model: "gpt-test", voiceModel: "tts-test", voiceName: "alloy",
            imageModel: "image-test", timeout: .seconds(45))
        return OpenAICompatibleClient(configuration: configuration, transport: transport)
    }

    static func json(_ status: Int, _ body: String, headers: HTTPHeaders = [:]) -> Result<HTTPResponse, HTTPClientError> {
        var headers = headers
        headers.add(name: "Content-Type", value: "application/json")
        return .success(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    static let answer =
        #"{"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#

    static func completionError(_ response: Result<HTTPResponse, HTTPClientError>) -> ChatModelError? {
        do {
            _ = try client(FakeTransport([response])).complete([ChatMessage(role: .user, content: "hi")])
            return nil
        } catch {
            return error
        }
    }

    @Test func aCompletionRequestHasOpenAIsShapeAndHeaders() throws {
        let transport = FakeTransport([Self.json(200, Self.answer)])
        let completion = try Self.client(transport).complete([
            ChatMessage(role: .system, content: "Be brief."), ChatMessage(role: .user, content: "Say \"hi\"\n"),
        ])
        #expect(
            completion
                == ChatCompletion(
                    content: "Hello!", finishReason: "stop", usage: .init(promptTokens: 12, completionTokens: 3, totalTokens: 15)))
        let request = try #require(transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://llm.example/v1/chat/completions")
        #expect(request.headers["Authorization"] == "Bearer " + Self.key)
        #expect(request.headers["Content-Type"] == "application/json")
        #expect(request.timeout == .seconds(45))
        let body = try #require(JSON.parse(request.body))
        #expect(
            body
                == [
                    "model": "gpt-test",
                    "messages": [["role": "system", "content": "Be brief."], ["role": "user", "content": "Say \"hi\"\n"]],
                ])
    }

    @Test func withoutAKeyNoAuthorizationIsSent() throws {
        let transport = FakeTransport([Self.json(200, Self.answer)])
        _ = try Self.client(transport, key: " ").complete([ChatMessage(role: .user, content: "hi")])
        #expect(transport.requests.first?.headers.contains("Authorization") == false)
    }

    @Test func usageAndFinishReasonMayBeMissing() throws {
        let transport = FakeTransport([Self.json(200, #"{"choices":[{"message":{"content":"Hi","role":"assistant"}}]}"#)])
        let completion = try Self.client(transport).complete([ChatMessage(role: .user, content: "hi")])
        #expect(completion == ChatCompletion(content: "Hi", finishReason: nil, usage: nil))
    }

    @Test func aRefusedKeyIsRejectedKeyAndTheMessageDoesNotRepeatIt() {
        let body =
            #"{"error":{"message":"Incorrect API key provided: sk-test-0123456789.","type":"invalid_request_error","code":"invalid_api_key"}}"#
        let error = Self.completionError(Self.json(401, body))
        #expect(error == .rejectedKey)
        #expect(error?.description.contains("CHAT_API_KEY") == true)
        #expect(error?.description.contains(Self.key) == false)
        #expect(error?.isRetryable == false)
    }

    @Test func aRateLimitCarriesRetryAfter() {
        let error = Self.completionError(
            Self.json(429, #"{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}"#, headers: ["Retry-After": "7"]))
        #expect(error == .rateLimited(retryAfter: 7))
        #expect(error?.isRetryable == true)
        #expect(Self.completionError(Self.json(429, "{}")) == .rateLimited(retryAfter: nil))
    }

    @Test func anExhaustedQuotaIsNotARateLimit() {
        let body = #"{"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","code":"insufficient_quota"}}"#
        let error = Self.completionError(Self.json(429, body, headers: ["Retry-After": "1"]))
        #expect(error == .failed(status: 429, message: "You exceeded your current quota."))
        #expect(error?.isRetryable == false)
    }

    @Test func aServerErrorCarriesTheBackendsMessageCutAndWithoutTheKey() {
        let long = "The server had an error (key sk-test-0123456789)\n" + String(repeating: "x", count: 400)
        let error = Self.completionError(
            Self.json(500, JSON.object([("error", ["message": .string(long), "type": "server_error"])]).serialized))
        guard case .failed(500, let message)? = error else {
            Issue.record("expected failed(500), got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("The server had an error (key [CHAT_API_KEY]) xxx"))
        #expect(message.count == 300)
        #expect(error?.isRetryable == true)
        #expect(error?.description.contains(Self.key) == false)
    }

    @Test func aNonJSONErrorBodyGivesTheStatusAlone() {
        let error = Self.completionError(.success(HTTPResponse(status: 404, body: Array("<html>Not Found</html>".utf8))))
        #expect(error == .failed(status: 404, message: ""))
        #expect(error?.description.contains("CHAT_API_BASE") == true)
    }

    @Test func aGarbageSuccessIsAnInvalidResponse() {
        let error = Self.completionError(.success(HTTPResponse(status: 200, body: Array("<html>hello</html>".utf8))))
        guard case .invalidResponse? = error else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
    }

    @Test(arguments: [
        #"{"choices":[]}"#,
        #"{"choices":[{"message":{"role":"assistant"},"finish_reason":"length"}]}"#,
        #"{"choices":[{"message":{"role":"assistant","content":null}}]}"#,
        #"{"choices":[{"message":{"role":"assistant","content":"  \n"}}]}"#,
    ])
    func anAnswerWithoutTextIsAnInvalidResponse(body: String) {
        let error = Self.completionError(Self.json(200, body))
        guard case .invalidResponse? = error else {
            Issue.record("expected invalidResponse, got \(String(describing: error))")
            return
        }
    }

    @Test func transportFailuresAreTimedOutOrUnreachable() {
        let timeout = Self.completionError(.failure(.timedOut(host: "llm.example", seconds: 45, requestSent: true)))
        #expect(timeout == .timedOut(seconds: 45))
        #expect(timeout?.description.contains("CHAT_TIMEOUT_SECONDS") == true)
        let refused = Self.completionError(.failure(.connectionFailed(host: "llm.example", reason: "Connection refused")))
        guard case .unreachable(let reason)? = refused else {
            Issue.record("expected unreachable, got \(String(describing: refused))")
            return
        }
        #expect(reason.contains("Connection refused"))
        #expect(refused?.isRetryable == true)
    }

    @Test func speechSendsTheTextCutTo4096CharactersAndReturnsTheBytes() throws {
        let mp3: [UInt8] = [0x49, 0x44, 0x33, 4, 0, 0]
        let transport = FakeTransport([.success(HTTPResponse(status: 200, headers: ["Content-Type": "audio/mpeg"], body: mp3))])
        let text = String(repeating: "a", count: 4_095) + "e\u{301}" + "tail"
        #expect(try Self.client(transport).speech(text) == mp3)
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://llm.example/v1/audio/speech")
        let body = try #require(JSON.parse(request.body))
        #expect(body["model"] == "tts-test")
        #expect(body["voice"] == "alloy")
        #expect(body["response_format"] == "mp3")
        // The accented letter would make 4,097 scalars: it goes whole or not at all.
        #expect(body["input"]?.string == String(repeating: "a", count: 4_095))
    }

    @Test func aJSONSpeechAnswerIsAnInvalidResponse() {
        let transport = FakeTransport([Self.json(200, #"{"status":"queued"}"#)])
        #expect(throws: ChatModelError.self) { try Self.client(transport).speech("hello") }
    }

    @Test func anImageComesFromB64JSON() throws {
        let body = JSON.object([("created", 1), ("data", [["b64_json": .string("iVBORw0KGgoAAAAN")]])]).serialized
        let transport = FakeTransport([Self.json(200, body)])
        let image = try Self.client(transport).image(prompt: "a red fox")
        #expect(image == GeneratedImage(bytes: Self.png, fileName: "image.png", contentType: "image/png"))
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://llm.example/v1/images/generations")
        #expect(
            JSON.parse(request.body) == ["model": "image-test", "prompt": "a red fox", "n": 1, "response_format": "b64_json"])
    }

    @Test func anImageOnlyLinkedToIsDownloadedWithoutTheKey() throws {
        let transport = FakeTransport([
            Self.json(200, #"{"data":[{"url":"https://files.example/img/1.png?sig=abc"}]}"#),
            .success(HTTPResponse(status: 200, headers: ["Content-Type": "image/png"], body: Self.png)),
        ])
        let image = try Self.client(transport).image(prompt: "a red fox")
        #expect(image.bytes == Self.png)
        #expect(image.fileName == "image.png")
        let download = try #require(transport.requests.last)
        #expect(download.method == "GET")
        #expect(download.url == "https://files.example/img/1.png?sig=abc")
        #expect(!download.headers.contains("Authorization"))
    }

    @Test func anImageURLThatIsNotHTTPIsNotFetched() {
        let transport = FakeTransport([Self.json(200, #"{"data":[{"url":"file:///etc/passwd"}]}"#)])
        #expect(throws: ChatModelError.self) { try Self.client(transport).image(prompt: "a red fox") }
        #expect(transport.requests.count == 1)
    }
}
