@testable import BotWorker
import Foundation
import JSONSupport
import Testing

@Suite struct BotCommandTests {
    @Test func commandsAreFoundAfterMentionsAndPrefixes() {
        #expect(BotCommand.parse("<@42> list", botID: "42")?.0 == .list)
        #expect(
            BotCommand.parse("<@!42>   Download  My Report.pdf ", botID: "42").map { "\($0.0) \($0.argument)" } == "download My Report.pdf")
        #expect(BotCommand.parse("!help", botID: "42")?.0 == .help)
        #expect(BotCommand.parse("/upload", botID: "42")?.0 == .upload)
        #expect(BotCommand.parse("hello there", botID: "42") == nil)
        #expect(BotCommand.parse("<@43> list", botID: "42") == nil)
        #expect(BotCommand.parse("", botID: "42") == nil)
    }

    @Test func slashCommandDefinitionsAreValidForDiscord() throws {
        let definitions = try #require(BotCommand.definitions.array)
        #expect(definitions.map { $0["name"]?.string } == ["help", "upload", "list", "download", "login", "reset", "aisync", "image"])
        for definition in definitions {
            let name = try #require(definition["name"]?.string)
            #expect((1...32).contains(name.count) && name == name.lowercased())
            #expect((1...100).contains(definition["description"]?.string?.count ?? 0))
            let options = definition["options"]?.array ?? []
            #expect(options.allSatisfy { $0["type"]?.integer == 3 && $0["required"]?.bool == true })
            #expect(options.count == (["download", "login", "image"].contains(name) ? 1 : 0), "\(name)")
        }
    }

    @Test func namesInRepliesCannotFormatOrMention() {
        #expect(BotCommands.safe("**@everyone** <#1>") == "\\*\\*\\@everyone\\*\\* \\<\\#1\\>")
        #expect(BotCommands.link(to: "", in: [], baseURL: "https://g.example").contains("Which file?"))
        #expect(BotCommands.listing([], baseURL: "https://g.example") == "You have no stored files. Upload one at https://g.example/files.")
    }
}

@Suite struct CommandLimiterTests {
    @Test func fiveCommandsPerTenSecondsThenOneSlowDownPerWindow() {
        var limiter = CommandLimiter(limit: 5, window: .seconds(10))
        let start = ContinuousClock.now
        for second in 0..<5 { #expect(limiter.admit("ann", at: start + .seconds(second)) == .run) }
        #expect(limiter.admit("ann", at: start + .milliseconds(5500)) == .slowDown(retryAfterSeconds: 5))
        #expect(limiter.admit("ann", at: start + .seconds(6)) == .ignore)
        #expect(limiter.admit("ann", at: start + .seconds(9)) == .ignore)
        #expect(limiter.admit("bob", at: start + .seconds(9)) == .run, "one user's spam limits nobody else")
        // The first command leaves the window at 10 s: one more runs, and the next over the limit is told again.
        #expect(limiter.admit("ann", at: start + .seconds(10)) == .run)
        #expect(limiter.admit("ann", at: start + .milliseconds(10_200)) == .slowDown(retryAfterSeconds: 1))
        #expect(limiter.admit("ann", at: start + .seconds(30)) == .run)
    }

    @Test func slowDownNamesTheLimit() {
        #expect(BotCommands.slowDown(7) == "Slow down: I answer 5 commands per 10 s per person. Try again in 7 s.")
    }
}
