import JSONSupport

/// The JSON object a request to the OpenAI-compatible backend carries, read field by field: a field of the
/// wrong type, missing, empty or too long is refused with OpenAI's 400 naming it (`param`).
struct OpenAIRequestBody {
    private let object: JSON

    init(_ request: SandboxRequest) throws(HTTPError) {
        guard let json = JSON.parse(Array(request.body.readableBytesView)), case .object = json else {
            throw HTTPError.openAIUnparsableJSON
        }
        object = json
    }

    /// The field's value; `nil` when absent or `null`.
    subscript(name: String) -> JSON? {
        object[name].flatMap { $0 == .null ? nil : $0 }
    }

    /// A required string of `lengths` characters.
    func requiredString(_ name: String, lengths: ClosedRange<Int> = 1...Int.max) throws(HTTPError) -> String {
        guard let value = try Self.string(self[name], param: name, lengths: lengths) else {
            throw HTTPError.openAIMissingParameter(name)
        }
        return value
    }

    /// An optional string that must be one of `supported`.
    func oneOf(_ name: String, _ supported: [String]) throws(HTTPError) -> String? {
        guard let value = try Self.string(self[name], param: name) else { return nil }
        guard supported.contains(value) else { throw HTTPError.openAIInvalidValue(name, value, supported: supported) }
        return value
    }

    func bool(_ name: String) throws(HTTPError) -> Bool? {
        guard let value = self[name] else { return nil }
        guard case .bool(let flag) = value else { throw HTTPError.openAIInvalidType(name, expected: "a boolean", got: value) }
        return flag
    }

    /// An optional integer within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws(HTTPError) -> Int? {
        guard let value = self[name] else { return nil }
        guard let number = value.wholeNumber else { throw HTTPError.openAIInvalidType(name, expected: "an integer", got: value) }
        try Self.check(Double(number), name, "integer", in: Double(range.lowerBound)...Double(range.upperBound))
        return number
    }

    /// An optional number within `range`.
    func number(_ name: String, in range: ClosedRange<Double>) throws(HTTPError) -> Double? {
        guard let value = self[name] else { return nil }
        guard let number = value.number else { throw HTTPError.openAIInvalidType(name, expected: "a number", got: value) }
        try Self.check(number, name, "decimal", in: range)
        return number
    }

    /// `value` as a string of `lengths` characters; `nil` when absent or `null`.
    static func string(_ value: JSON?, param: String, lengths: ClosedRange<Int> = 1...Int.max) throws(HTTPError) -> String? {
        guard let value, value != .null else { return nil }
        guard case .string(let string) = value else { throw HTTPError.openAIInvalidType(param, expected: "a string", got: value) }
        if string.isEmpty, lengths.lowerBound > 0 {
            throw HTTPError.openAI(
                .badRequest,
                message: "Invalid '\(param)': empty string. Expected a string with minimum length \(lengths.lowerBound), "
                    + "but got an empty string instead.",
                param: param,
                code: "empty_string"
            )
        }
        if string.count > lengths.upperBound {
            throw HTTPError.openAI(
                .badRequest,
                message: "Invalid '\(param)': string too long. Expected a string with maximum length \(lengths.upperBound), "
                    + "but got a string with length \(string.count) instead.",
                param: param,
                code: "string_above_max_length"
            )
        }
        return string
    }

    private static func check(_ number: Double, _ param: String, _ kind: String, in range: ClosedRange<Double>) throws(HTTPError) {
        let shown = { (value: Double) in value == value.rounded() ? String(Int(value)) : String(value) }
        if number < range.lowerBound {
            throw HTTPError.openAI(
                .badRequest,
                message: "Invalid '\(param)': \(kind) below minimum value. Expected a value >= \(shown(range.lowerBound)), "
                    + "but got \(shown(number)) instead.",
                param: param,
                code: "\(kind)_below_min_value"
            )
        }
        if number > range.upperBound {
            throw HTTPError.openAI(
                .badRequest,
                message: "Invalid '\(param)': \(kind) above maximum value. Expected a value <= \(shown(range.upperBound)), "
                    + "but got \(shown(number)) instead.",
                param: param,
                code: "\(kind)_above_max_value"
            )
        }
    }
}
