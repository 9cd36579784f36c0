import Foundation
import GuildGateCore
import Testing

@testable import DevStack

/// DIR/stack.env: written as a shell sources it, read back with Core's DotEnv as it was written.
@Suite struct StackEnvFileTests {
    static let state = StackState(
        directory: "/tmp/stack", binaries: "/src/.build/release", repository: "/src", threads: 16, transferThreads: 8,
        webSocket: "/tmp/stack/run/web.sock",
        transferSocket: "/tmp/stack/run/transfer.sock", socketGroup: "nogroup", startsBot: false, httpPortArgument: 0)

    @Test func settingsAndStateSurviveTheRoundTrip() throws {
        let settings = [
            "WEB_URL": "http://127.0.0.1:8080", "GUILDGATE_ENV_FILE": "", "CHAT_MODEL": "it's a \"model\" # not a comment",
            "DATABASE_URL": "postgresql:///guildgate?host=/tmp/stack/pg/run&port=5432&user=postgres",
        ]
        let text = try StackEnvFile.render(settings: settings, state: Self.state, writtenAt: "2026-12-06 20:00:00")
        let values = DotEnv.parse(text)
        #expect(values.filter { !$0.key.hasPrefix("STACK_") } == settings)
        #expect(try StackState(values, path: "stack.env") == Self.state)
    }

    @Test func linesAreShellAssignmentsInSingleQuotes() throws {
        let text = try StackEnvFile.render(settings: ["B": "it's", "A": "1"], state: Self.state, writtenAt: "2026-12-06 20:00:00")
        let lines = text.split(separator: "\n")
        #expect(lines[0] == "# Written by guildgate-dev up on 2026-12-06 20:00:00: the environment of web and bot.")
        #expect(lines[2] == "A='1'")
        #expect(lines[3] == #"B='it'\''s'"#)
        #expect(lines[4] == "STACK_DIR='/tmp/stack'")
        #expect(lines.last == "STACK_HTTP_PORT_ARG='0'")
    }

    @Test func aValueWithALineBreakIsRefused() {
        #expect(throws: StackError.self) {
            try StackEnvFile.render(settings: ["CHAT_API_KEY": "a\nb"], state: Self.state, writtenAt: "now")
        }
    }

    @Test func theFileIsPrivateAndItsAbsenceSaysWhatToDo() throws {
        let directory = NSTemporaryDirectory() + "guildgate-env-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = StackEnvFile(path: directory + "/stack.env")
        #expect(throws: StackError("\(directory)/stack.env not found: is the stack up? (guildgate-dev up --dir \(directory) ...)")) {
            try file.read()
        }
        try file.write(settings: ["LOG_LEVEL": "notice"], state: Self.state)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try file.read()["LOG_LEVEL"] == "notice")
    }

    @Test func aStateWithoutItsVariablesIsReported() {
        #expect(throws: StackError.self) { try StackState(["STACK_DIR": "/tmp"], path: "stack.env") }
    }
}

/// Which variables are GuildGate's settings, and what the stack provides itself.
@Suite struct ServiceEnvironmentTests {
    @Test func settingsAreTheNamesTheAppsRead() {
        for name in ["LOG_LEVEL", "DATABASE_URL", "WEB_URL", "DISCORD_CLIENT_ID", "GUILDGATE_SECRET_KEY", "CHAT_MODEL", "CHANNEL_ID"] {
            #expect(ConfigurationNames.contains(name), "\(name)")
        }
        for name in ["PATH", "HOME", "DISCORD_lower", "GUILDGATEX", "STACK_DIR", "XDISCORD_TOKEN"] {
            #expect(!ConfigurationNames.contains(name), "\(name)")
        }
    }

    @Test func isolationDropsTheCallersDatabaseDiscordAndSecrets() {
        for name in ["DATABASE_URL", "WEB_APP_BASE_URL", "DISCORD_BOT_TOKEN", "SERVER_ID", "CHANNEL_ID", "GUILDGATE_API_TOKEN"] {
            #expect(ConfigurationNames.isCallerSpecific(name), "\(name)")
        }
        for name in ["LOG_LEVEL", "GUILDGATE_USER_QUOTA", "CHAT_MODEL", "PATH"] {
            #expect(!ConfigurationNames.isCallerSpecific(name), "\(name)")
        }
    }

    @Test func aSettingCountsWhenTheEnvironmentOrTheEnvFileHasAValue() {
        let environment = ServiceEnvironment(
            ["DATABASE_URL": "", "DISCORD_TOKEN": "t", "PATH": "/bin"], envFile: ["DISCORD_CLIENT_ID": "1"])
        #expect(!environment.isConfigured("DATABASE_URL"))
        #expect(environment.isConfigured("DISCORD_TOKEN"))
        #expect(environment.isConfigured("DISCORD_CLIENT_ID", "DISCORD_BOT_TOKEN"))
        #expect(environment.settings == ["DATABASE_URL": "", "DISCORD_TOKEN": "t"])
    }
}
