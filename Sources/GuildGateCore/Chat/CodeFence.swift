/// A Markdown code block opened by a ```` ``` ```` line, as ``ReplySplitter`` tracks it across pieces.
struct CodeFence: Equatable {
    /// What ends a piece cut inside the block.
    static let closing = "\n```"

    /// The opening line as the next piece repeats it: ```` ``` ```` and the language tag, if any.
    let line: String

    /// The block still open at the end of `text`, given the one open at its start. A line starting with
    /// three backticks opens a block; inside one, a line of backticks alone closes it. A block whose
    /// reopening and closing would leave less than half of `limit` for text (an absurd language tag) is
    /// not carried over: nil.
    static func open(after text: Substring, startingIn start: CodeFence?, limit: Int) -> CodeFence? {
        var fence = start
        for line in text.split(whereSeparator: \.isNewline) {
            let content = line.drop { $0 == " " || $0 == "\t" }
            guard content.hasPrefix("```") else { continue }
            if fence == nil {
                let tag = content.drop { $0 == "`" }.drop(while: \.isWhitespace).prefix { !$0.isWhitespace }
                fence = CodeFence(line: "```" + tag)
            } else if content.allSatisfy({ $0 == "`" || $0.isWhitespace }) {
                fence = nil
            }
        }
        guard let fence, fence.line.utf16.count + 1 + closing.utf16.count <= limit / 2 else { return nil }
        return fence
    }
}
