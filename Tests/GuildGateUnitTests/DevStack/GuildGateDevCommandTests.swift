import ArgumentParser
import DevStack
import Testing

@testable import GuildGateDev

/// guildgate-dev's command line: what each option becomes, and the options it refuses.
@Suite struct GuildGateDevCommandTests {
    @Test func upOptionsBecomeStackOptions() throws {
        let command = try UpCommand.parse([
            "--dir", "var", "--bin", ".build/release", "--http-port", "8081", "--threads", "4", "--transfer-threads", "2",
            "--no-bot", "--env-file", ".env", "--repository", "/src/guildgate",
        ])
        #expect(command.directory.directory == "var")
        var expected = StackOptions(binaries: ".build/release", repository: "/src/guildgate")
        expected.httpPort = 8081
        expected.threads = 4
        expected.transferThreads = 2
        expected.startsBot = false
        expected.envFile = ".env"
        #expect(try command.start.options() == expected)
    }

    @Test func defaultsAreThoseOfMakeRun() throws {
        let command = try RunCommand.parse(["--dir", "var", "--bin", "bin", "--repository", "/src", "--env-file", ""])
        let options = try command.start.options()
        #expect(options.httpPort == 0)
        #expect(options.threads == 16)
        #expect(options.transferThreads == 8)
        #expect(options.startsBot)
        #expect(options.envFile == nil, "an empty --env-file is none")
        #expect(!options.isolated)
    }

    @Test func everyCommandNeedsADirectory() {
        #expect(throws: (any Error).self) { try DownCommand.parse(["--purge"]) }
        #expect(throws: (any Error).self) { try StatusCommand.parse([]) }
    }

    @Test func webBotNginxTheSandboxAndPostgreSQLRestart() throws {
        #expect(try RestartCommand.parse(["bot", "--dir", "var"]).name == .bot)
        #expect(try RestartCommand.parse(["postgres", "--dir", "var"]).name == .postgres)
        #expect(throws: (any Error).self) { try RestartCommand.parse(["redis", "--dir", "var"]) }
        #expect(ServiceName.allValueStrings == ["web", "bot", "nginx", "sandbox", "postgres"])
    }

    @Test(arguments: [
        ("--http-port", "65536", "--http-port must be a port number or 0"),
        ("--threads", "0", "--threads must be a positive number"),
        ("--transfer-threads", "-1", "--transfer-threads must be a positive number"),
    ])
    func outOfRangeValuesAreRefused(option: String, value: String, message: String) throws {
        let options = try UpCommand.parse(["--dir", "var", "--repository", "/src", "\(option)=\(value)"]).start.options()
        #expect(throws: StackError(message)) { try options.validate() }
    }

    @Test func isolatedAndAnEnvFileExcludeEachOther() throws {
        let options = try UpCommand.parse(["--dir", "var", "--repository", "/src", "--isolated", "--env-file", ".env"]).start.options()
        #expect(throws: StackError("--isolated and --env-file exclude each other")) { try options.validate() }
    }

    @Test func renderNginxTakesATemplateAndAssignments() throws {
        let command = try RenderNginxCommand.parse(["nginx/standalone.conf.in", "USER_DIRECTIVE="])
        #expect(command.template == "nginx/standalone.conf.in")
        #expect(command.assignments == ["USER_DIRECTIVE="])
    }
}
