import JSONSupport
import NIOHTTP1

/// Error bodies in the shape OpenAI's API reference gives them (platform.openai.com/docs/api-reference,
/// "Error codes"): `{"error": {"message", "type", "param", "code"}}`.
extension HTTPError {
    static func openAI(
        _ status: HTTPResponseStatus,
        message: String,
        type: String = "invalid_request_error",
        param: String? = nil,
        code: String? = nil
    ) -> HTTPError {
        HTTPError(
            status,
            json: [
                "error": [
                    "message": .string(message), "type": .string(type), "param": param.json, "code": code.json,
                ]
            ]
        )
    }

    /// 401 for a missing or wrong `Authorization: Bearer` key; the key is shown masked, as OpenAI does.
    static func openAIInvalidAPIKey(_ key: String?) -> HTTPError {
        let shown = key.map { $0.count > 8 ? "\($0.prefix(3))****\($0.suffix(4))" : "****" } ?? "none"
        return openAI(
            .unauthorized,
            message: "Incorrect API key provided: \(shown). You can find your API key at https://platform.openai.com/account/api-keys.",
            code: "invalid_api_key"
        )
    }

    static let openAIUnparsableJSON = openAI(
        .badRequest,
        message: "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP "
            + "library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
    )

    static func openAIMissingParameter(_ param: String) -> HTTPError {
        openAI(.badRequest, message: "Missing required parameter: '\(param)'.", param: param, code: "missing_required_parameter")
    }

    static func openAIInvalidType(_ param: String, expected: String, got value: JSON) -> HTTPError {
        openAI(
            .badRequest,
            message: "Invalid type for '\(param)': expected \(expected), but got \(value.openAITypeName) instead.",
            param: param,
            code: "invalid_type"
        )
    }

    static func openAIInvalidValue(_ param: String, _ value: String, supported: [String]) -> HTTPError {
        let quoted = supported.map { "'\($0)'" }
        let list = quoted.count > 1 ? quoted.dropLast().joined(separator: ", ") + ", and " + quoted[quoted.count - 1] : quoted.joined()
        return openAI(
            .badRequest,
            message: "Invalid value: '\(value)'. Supported values are: \(list).",
            param: param,
            code: "invalid_value"
        )
    }

    /// The answer to an unknown path below `/openai`.
    static func openAIInvalidURL(_ method: HTTPMethod, _ path: String) -> HTTPError {
        openAI(.notFound, message: "Invalid URL (\(method.rawValue) \(path))")
    }
}

extension JSON {
    /// How OpenAI's type errors name a value's type: "an integer", "a string", …
    var openAITypeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let value): value == value.rounded() ? "an integer" : "a decimal"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
