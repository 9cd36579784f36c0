import GuildGateCore
import GuildGateTesting
import Testing

@Suite struct ReplySplitterTests {
    @Test func shortTextIsOnePieceAndBlankTextNone() {
        #expect(ReplySplitter.split("  Hello there.\n") == ["Hello there."])
        #expect(ReplySplitter.split("") == [])
        #expect(ReplySplitter.split(" \n\n\t ") == [])
    }

    @Test func paragraphsAreCutAtAParagraphEnd() {
        let line = String(repeating: "word ", count: 19) + "end."  // 99 characters
        let paragraphs = [6, 6, 6, 7].map { Array(repeating: line, count: $0).joined(separator: "\n") }
        let text = paragraphs.joined(separator: "\n\n")
        #expect(text.utf16.count == 2_502)
        // The first 2,000 characters end inside the last paragraph, after one of its line breaks.
        #expect(ReplySplitter.split(text) == [paragraphs[0..<3].joined(separator: "\n\n"), paragraphs[3]])
    }

    @Test func aLongWordIsCutHard() {
        let word = String(repeating: "x", count: 5_000)
        let pieces = ReplySplitter.split(word)
        #expect(pieces.map(\.utf16.count) == [2000, 2000, 1000])
        #expect(pieces.joined() == word)
    }

    @Test func sentencesAreCutAfterTheirEnd() {
        let sentences = (0..<60).map { "Sentence number \($0) says something rather unremarkable about the weather!" }
        let text = sentences.joined(separator: " ")
        let pieces = ReplySplitter.split(text, limit: 500)
        #expect(pieces.count > 1)
        for piece in pieces {
            #expect(piece.utf16.count <= 500)
            #expect(piece.hasPrefix("Sentence number "))
            #expect(piece.hasSuffix("weather!"))
        }
        #expect(pieces.joined(separator: " ") == text)
    }

    @Test func ideographicFullStopsEndSentences() {
        let text = String(repeating: "天気がいいです。", count: 40)
        let pieces = ReplySplitter.split(text, limit: 100)
        #expect(pieces.allSatisfy { $0.utf16.count <= 100 && $0.hasSuffix("。") })
        #expect(pieces.joined() == text)
    }

    @Test func aCodeBlockCutInTwoIsClosedAndReopened() throws {
        let code = (0..<40).map { "    let value\($0) = compute(\($0))" }
        let text = "Here is the code:\n\n```swift\n" + code.joined(separator: "\n") + "\n```\n\nThat is all."
        let pieces = ReplySplitter.split(text, limit: 600)
        #expect(pieces.count >= 3)
        #expect(pieces.first == "Here is the code:")
        let codePieces = pieces.dropFirst().dropLast()
        for piece in codePieces {
            #expect(piece.utf16.count <= 600)
            #expect(piece.hasPrefix("```swift\n    let value"))
            #expect(piece.hasSuffix("\n```"))
        }
        #expect(try #require(pieces.last).hasSuffix("That is all."))
        // Without the fences added at the cuts, the code lines are all there, in order, indented.
        let lines = pieces.joined(separator: "\n").split(separator: "\n").filter { $0.hasPrefix("    ") }
        #expect(lines.map(String.init) == code)
    }

    @Test func emojiAtTheLimitStayWhole() {
        let thumbs = "👍🏽"  // four UTF-16 units, one character
        let text = String(repeating: "a", count: 1_998) + String(repeating: thumbs, count: 3)
        let pieces = ReplySplitter.split(text)
        #expect(pieces == [String(repeating: "a", count: 1_998), String(repeating: thumbs, count: 3)])
    }

    @Test func combiningCharactersAreNotSeparatedFromTheirBase() {
        let accented = "e\u{301}"  // two scalars, one character
        let text = "x" + String(repeating: accented, count: 1_500)
        let pieces = ReplySplitter.split(text)
        #expect(pieces.count == 2)
        #expect(pieces[0].utf16.count == 1_999)
        #expect(pieces[1].unicodeScalars.first == "e")
        #expect(pieces.joined() == text)
    }

    @Test func randomTextsKeepTheLimitAndTheirWords() {
        for seed in UInt64(1)...200 {
            var random = SeededGenerator(state: seed)
            let limit = [40, 100, 2000].randomElement(using: &random)!
            let text = Self.randomText(using: &random)
            let pieces = ReplySplitter.split(text, limit: limit)
            #expect(pieces.allSatisfy { !$0.isEmpty && $0.utf16.count <= limit }, "seed \(seed)")
            #expect(pieces.allSatisfy { $0.first?.isWhitespace == false && $0.last?.isWhitespace == false }, "seed \(seed)")
            #expect(pieces.joined().filter { !$0.isWhitespace } == text.filter { !$0.isWhitespace }, "seed \(seed)")
            // Words longer than the limit are cut; every other one survives whole (a cut after "。" ends a word).
            let isBreak: (Character) -> Bool = { $0.isWhitespace || $0 == "。" }
            let words = text.split(whereSeparator: isBreak)
            if words.allSatisfy({ $0.utf16.count < limit }) {
                #expect(pieces.flatMap { $0.split(whereSeparator: isBreak) } == words, "seed \(seed)")
            }
        }
    }

    private static func randomText(using random: inout SeededGenerator) -> String {
        let alphabet: [Character] = ["a", "b", "z", "é", "e\u{301}", "ß", "天", "。", "👍🏽", "🇫🇷", ".", "!", "?"]
        let separators = [" ", " ", " ", "\n", "\n\n", ". ", "\t"]
        var text = ""
        for _ in 0..<Int.random(in: 0...600, using: &random) {
            let length =
                Int.random(in: 0..<100, using: &random) == 0
                ? Int.random(in: 50...300, using: &random) : Int.random(in: 1...12, using: &random)
            text += String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
            text += separators.randomElement(using: &random)!
        }
        return text
    }
}
