import Crypto
import JSONSupport
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The OpenAI-compatible model backend under `/openai/v1`, shaped as OpenAI's API reference gives it ("Create
/// chat completion", "Create speech", "Create image"), with deterministic answers. Every call is recorded
/// for `GET /_sandbox/chat/requests`, then needs `Authorization: Bearer <chat API key>`.
enum ChatBackendRoutes {
    static var routes: [Route] {
        [
            .openAI(.POST, "/v1/chat/completions", handler: chatCompletion),
            .openAI(.POST, "/v1/audio/speech", handler: speech),
            .openAI(.POST, "/v1/images/generations", handler: imageGeneration),
            .openAI(.GET, "/files/{file}", handler: file),
        ]
    }

    static let voices = [
        "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse", "marin", "cedar",
    ]
    static let speechFormats = ["mp3", "opus", "aac", "flac", "wav", "pcm"]
    static let imageSizes = ["auto", "256x256", "512x512", "1024x1024", "1536x1024", "1024x1536", "1792x1024", "1024x1792"]

    @Sendable
    static func chatCompletion(_ context: RequestContext) async throws -> SandboxResponse {
        let request = try ChatCompletionRequest(try accept(context))
        let reply = ChatReply(to: request)
        if reply.delayMilliseconds > 0 { try await Task.sleep(for: .milliseconds(reply.delayMilliseconds)) }
        let promptTokens = tokens(request.promptCharacters)
        let completionTokens = tokens(reply.text.count)
        context.logger.info(
            "chat completion answered",
            metadata: ["model": "\(request.model)", "messages": "\(request.messages.count)", "characters": "\(reply.text.count)"]
        )
        return .json([
            "id": .string("chatcmpl-" + RandomToken.make(length: 29)),
            "object": "chat.completion",
            "created": .int(Int(Date().timeIntervalSince1970)),
            "model": .string(request.model),
            "choices": [
                [
                    "index": 0,
                    "message": ["role": "assistant", "content": .string(reply.text), "refusal": .null],
                    "logprobs": .null,
                    "finish_reason": "stop",
                ]
            ],
            "usage": [
                "prompt_tokens": .int(promptTokens),
                "completion_tokens": .int(completionTokens),
                "total_tokens": .int(promptTokens + completionTokens),
            ],
        ])
    }

    /// `{model, input (1…4096 characters), voice, response_format?, speed?}` → `audio/mpeg`. Only mp3 is served.
    @Sendable
    static func speech(_ context: RequestContext) async throws -> SandboxResponse {
        let body = try accept(context)
        _ = try body.requiredString("model")
        let input = try body.requiredString("input", lengths: 1...4096)
        guard try body.oneOf("voice", voices) != nil else { throw HTTPError.openAIMissingParameter("voice") }
        let format = try body.oneOf("response_format", speechFormats) ?? "mp3"
        guard format == "mp3" else { throw HTTPError.openAIInvalidValue("response_format", format, supported: ["mp3"]) }
        _ = try body.number("speed", in: 0.25...4)
        return SandboxResponse(
            status: .ok,
            headers: ["Content-Type": "audio/mpeg"],
            body: ByteBuffer(bytes: FakeMedia.speech(for: input))
        )
    }

    /// `{prompt (≤ 4000 characters), model?, n? (1), size?, response_format? "b64_json" | "url"}` → one
    /// deterministic PNG, inline (the default here) or at a URL on the sandbox.
    @Sendable
    static func imageGeneration(_ context: RequestContext) async throws -> SandboxResponse {
        let body = try accept(context)
        let prompt = try body.requiredString("prompt", lengths: 1...4000)
        _ = try OpenAIRequestBody.string(body["model"], param: "model")
        _ = try body.integer("n", in: 1...1)
        _ = try body.oneOf("size", imageSizes)
        let format = try body.oneOf("response_format", ["b64_json", "url"]) ?? "b64_json"
        let png = FakeMedia.image(for: prompt)
        let image: JSON
        if format == "url" {
            let id = "img-" + Hex.encode(SHA256.hash(data: png)).prefix(24)
            context.state.withLock { $0.chatBackend.storeImage(png, id: id) }
            image = ["url": .string("\(context.configuration.publicURL)/openai/files/\(id).png"), "revised_prompt": .null]
        } else {
            image = ["b64_json": .string(Data(png).base64EncodedString()), "revised_prompt": .null]
        }
        return .json(["created": .int(Int(Date().timeIntervalSince1970)), "data": [image]])
    }

    /// A generated image by its URL; no authentication, like the storage URLs OpenAI hands out.
    @Sendable
    static func file(_ context: RequestContext) async throws -> SandboxResponse {
        let name = context.parameters["file"] ?? ""
        guard name.hasSuffix(".png"), let png = context.state.withLock({ $0.chatBackend.image(id: String(name.dropLast(4))) })
        else { throw HTTPError.openAIInvalidURL(context.request.method, context.request.path) }
        return SandboxResponse(status: .ok, headers: ["Content-Type": "image/png"], body: ByteBuffer(bytes: png))
    }

    /// Records the call, then checks the key and reads the JSON body.
    private static func accept(_ context: RequestContext) throws(HTTPError) -> OpenAIRequestBody {
        let request = context.request
        let record = ChatRequestRecord(
            path: request.path,
            body: JSON.parse(Array(request.body.readableBytesView)) ?? .null,
            at: Date()
        )
        context.state.withLock { $0.chatBackend.record(record) }
        guard case .bearer(let key)? = request.authorization, key == context.configuration.chatAPIKey else {
            let key: String? = if case .bearer(let given)? = request.authorization { given } else { nil }
            throw HTTPError.openAIInvalidAPIKey(key)
        }
        return try OpenAIRequestBody(request)
    }

    /// About four characters a token, at least one.
    private static func tokens(_ characters: Int) -> Int {
        max(1, (characters + 3) / 4)
    }
}
