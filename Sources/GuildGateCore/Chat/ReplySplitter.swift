/// Cuts a model's answer into Discord messages.
public enum ReplySplitter {
    /// `text` in pieces of at most `limit` UTF-16 code units (Discord's 2,000-character limit, measured
    /// conservatively), each trimmed of surrounding whitespace and none empty; an empty or blank `text`
    /// gives none.
    ///
    /// A piece ends at the last paragraph break that fits, else the last line break, sentence end
    /// (`. `, `! `, `? `, `。`), whitespace, and only then at the last whole character (grapheme cluster;
    /// a single cluster longer than the limit is cut between its scalars). When a piece ends inside a
    /// fenced code block, the piece closes the fence and the next one reopens it with its language tag.
    /// - Precondition: `limit >= 2` (room for any Unicode scalar).
    public static func split(_ text: String, limit: Int = 2000) -> [String] {
        precondition(limit >= 2, "a piece must have room for a surrogate pair")
        var pieces: [String] = []
        var rest = Substring(text)
        // The code fence the previous piece closed, reopened at the start of the next.
        var carried: CodeFence?
        while true {
            // Inside a code block leading spaces are indentation: only blank lines are dropped.
            rest = carried == nil ? rest.drop(while: \.isWhitespace) : rest.drop(while: \.isNewline)
            guard rest.contains(where: { !$0.isWhitespace }) else { break }
            let opening = carried.map { $0.line + "\n" } ?? ""
            if opening.utf16.count + rest.utf16.count <= limit {
                pieces.append(trimmed(opening + rest))
                break
            }
            let budget = limit - opening.utf16.count
            var cut = cutIndex(in: rest, budget: budget)
            var fence = CodeFence.open(after: rest[..<cut], startingIn: carried, limit: limit)
            if fence != nil {
                cut = cutIndex(in: rest, budget: budget - CodeFence.closing.utf16.count)
                fence = CodeFence.open(after: rest[..<cut], startingIn: carried, limit: limit)
            }
            if rest[..<cut].contains(where: { !$0.isWhitespace }) {
                pieces.append(trimmed(opening + rest[..<cut]) + (fence == nil ? "" : CodeFence.closing))
            }
            rest = rest[cut...]
            carried = fence
        }
        return pieces
    }

    /// Where the piece starting at `rest` ends: after at most `budget` UTF-16 units, at the best boundary.
    private static func cutIndex(in rest: Substring, budget: Int) -> String.Index {
        var end = rest.startIndex
        var used = 0
        while end < rest.endIndex {
            let size = rest[end].utf16.count
            guard used + size <= budget else { break }
            used += size
            end = rest.index(after: end)
        }
        if end == rest.endIndex { return end }
        if end == rest.startIndex { return scalarCut(in: rest, budget: budget) }

        let window = rest[..<end]
        guard let content = window.firstIndex(where: { !$0.isWhitespace }) else { return end }
        var paragraph: String.Index?
        var line: String.Index?
        var sentence: String.Index?
        var space: String.Index?
        var previous: (index: String.Index, character: Character)?
        for index in window.indices where index > content {
            let character = window[index]
            if character.isNewline {
                if let previous, previous.character.isNewline { paragraph = previous.index }
                line = index
            }
            if character.isWhitespace {
                space = index
                if let previous, ".!?".contains(previous.character) { sentence = index }
            }
            if "。！？".contains(character) { sentence = window.index(after: index) }
            previous = (index, character)
        }
        return paragraph ?? line ?? sentence ?? space ?? end
    }

    /// A cut inside a grapheme cluster that alone exceeds the budget (e.g. thousands of combining marks).
    private static func scalarCut(in rest: Substring, budget: Int) -> String.Index {
        var used = 0
        var end = rest.unicodeScalars.startIndex
        while end < rest.unicodeScalars.endIndex {
            used += rest.unicodeScalars[end].utf16.count
            guard used <= budget else { break }
            end = rest.unicodeScalars.index(after: end)
        }
        return end
    }

    private static func trimmed(_ text: some StringProtocol) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(text[first...last])
    }
}
