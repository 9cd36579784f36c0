import Foundation

/// `guildgate-bot run` against the stack's discord-sandbox.
public final class BotProcess: StackProcess {
    public init(stack: TestStack, overrides: [String: String?] = [:]) throws {
        var settings: [String: String?] = ["GUILDGATE_MEMBER_REQUEST_INTERVAL": "1", "LOG_LEVEL": "debug"]
        settings.merge(overrides) { _, override in override }
        try super.init(stack: stack, binary: "guildgate-bot", arguments: ["run"], overrides: settings)
    }

    /// Waits until the bot's gateway session is ready (it logs so once READY or RESUMED arrived).
    public func waitUntilReady(timeout: TimeInterval = 15) -> Bool {
        waitForOutput("gateway session ready", timeout: timeout)
    }
}
