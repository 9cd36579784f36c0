/// The backend's deterministic answer to a chat completion. By default `Echo <n>: <last user message>`, n the
/// number of user messages. Directives in the last user message ask for other answers: `[[length:N]]` an
/// answer of exactly N characters made of sentences in paragraphs separated by a blank line, `[[delay:MS]]`
/// a wait of MS milliseconds (at most 30 s) before answering. Directives are not echoed.
struct ChatReply {
    static let maxDelayMilliseconds = 30_000
    static let maxLength = 100_000
    /// Sentences per paragraph of a `[[length:N]]` answer.
    static let paragraphSentences = 4

    let text: String
    let delayMilliseconds: Int

    init(to request: ChatCompletionRequest) {
        let users = request.userContents
        var plain = ""
        var length: Int?
        var delay = 0
        var rest = (users.last ?? "")[...]
        while let open = rest.firstRange(of: "[["), let close = rest[open.upperBound...].firstRange(of: "]]") {
            plain += rest[..<open.lowerBound]
            let directive = rest[open.upperBound..<close.lowerBound].split(separator: ":", maxSplits: 1)
            switch (directive.first, directive.count == 2 ? Int(directive[1]) : nil) {
            case ("length"?, let value?) where value >= 0: length = min(value, Self.maxLength)
            case ("delay"?, let value?) where value >= 0: delay = min(value, Self.maxDelayMilliseconds)
            default: plain += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        plain += rest
        let echoed = plain.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        text = length.map(Self.sentences(length:)) ?? "Echo \(users.count): \(echoed)"
        delayMilliseconds = delay
    }

    /// Exactly `length` characters: sentences ending in ". ", every `paragraphSentences` of them a
    /// paragraph, paragraphs separated by "\n\n"; the last sentence is cut to fit and ends in ".".
    static func sentences(length: Int) -> String {
        var text = ""
        var number = 1
        while text.count < length {
            var separator = text.isEmpty ? "" : (number % paragraphSentences == 1 ? "\n\n" : " ")
            let sentence = "Sentence \(number) of the sandbox answer."
            // A full sentence only when at least 8 characters are left after it, so the last one always fits.
            if length - text.count >= separator.count + sentence.count + 8 {
                text += separator + sentence
                number += 1
                continue
            }
            if length - text.count - separator.count < 2 { separator = text.isEmpty ? "" : " " }
            let room = length - text.count - separator.count
            text += separator + ("End" + String(repeating: "d", count: room)).prefix(room - 1) + "."
        }
        return text
    }
}
