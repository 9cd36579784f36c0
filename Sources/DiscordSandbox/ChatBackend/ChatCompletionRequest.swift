import JSONSupport

/// A validated `POST /openai/v1/chat/completions` body (OpenAI's API reference, "Create chat completion"):
/// `model` a non-empty string, `messages` a non-empty array of `{role, content}` with `content` a string or
/// an array of text parts. `stream: true` is refused: the product must never stream.
struct ChatCompletionRequest {
    static let roles = ["system", "developer", "user", "assistant", "tool"]

    struct Message {
        let role: String
        let content: String
    }

    let model: String
    let messages: [Message]

    init(_ body: OpenAIRequestBody) throws(HTTPError) {
        model = try body.requiredString("model")
        if try body.bool("stream") == true {
            throw HTTPError.openAI(
                .badRequest,
                message: "The sandbox does not stream: 'stream' must be false or absent.",
                param: "stream",
                code: "unsupported_value"
            )
        }
        guard let list = body["messages"] else { throw HTTPError.openAIMissingParameter("messages") }
        guard case .array(let elements) = list else {
            throw HTTPError.openAIInvalidType("messages", expected: "an array", got: list)
        }
        guard !elements.isEmpty else {
            throw HTTPError.openAI(
                .badRequest,
                message: "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
                param: "messages",
                code: "empty_array"
            )
        }
        var messages: [Message] = []
        for (index, element) in elements.enumerated() {
            messages.append(try Self.message(element, param: "messages[\(index)]"))
        }
        self.messages = messages
    }

    /// The user messages' contents, oldest first.
    var userContents: [String] {
        messages.filter { $0.role == "user" }.map(\.content)
    }

    /// Characters of every message's content: what `usage.prompt_tokens` is estimated from.
    var promptCharacters: Int {
        messages.reduce(0) { $0 + $1.content.count }
    }

    private static func message(_ element: JSON, param: String) throws(HTTPError) -> Message {
        guard case .object = element else { throw HTTPError.openAIInvalidType(param, expected: "an object", got: element) }
        guard let role = try OpenAIRequestBody.string(element["role"], param: "\(param).role") else {
            throw HTTPError.openAIMissingParameter("\(param).role")
        }
        guard roles.contains(role) else { throw HTTPError.openAIInvalidValue("\(param).role", role, supported: roles) }
        return Message(role: role, content: try content(element["content"], param: "\(param).content"))
    }

    /// A string, or the text of `[{"type": "text", "text": …}]` parts joined.
    private static func content(_ value: JSON?, param: String) throws(HTTPError) -> String {
        switch value {
        case nil, .null?:
            throw HTTPError.openAIMissingParameter(param)
        case .string(let text)?:
            return text
        case .array(let parts)?:
            var texts: [String] = []
            for (index, part) in parts.enumerated() {
                let partParam = "\(param)[\(index)]"
                guard case .object = part else { throw HTTPError.openAIInvalidType(partParam, expected: "an object", got: part) }
                let type = try OpenAIRequestBody.string(part["type"], param: "\(partParam).type") ?? ""
                guard type == "text" else { throw HTTPError.openAIInvalidValue("\(partParam).type", type, supported: ["text"]) }
                guard let text = try OpenAIRequestBody.string(part["text"], param: "\(partParam).text", lengths: 0...Int.max) else {
                    throw HTTPError.openAIMissingParameter("\(partParam).text")
                }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        case let other?:
            throw HTTPError.openAIInvalidType(param, expected: "a string or an array", got: other)
        }
    }
}
