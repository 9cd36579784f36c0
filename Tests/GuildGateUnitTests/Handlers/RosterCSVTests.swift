@testable import GuildGateCore
import Testing
@testable import Handlers

@Suite struct RosterCSVTests {
    @Test func readsColumnsInAnyOrderWithQuotes() throws {
        let rows = try RosterCSV.parse(
            "Rank,Discord_ID,Name,Notes\r\nLead,100000000000000001,\"Doe, Jane\",x\r\n"
                + "\"Staff \"\"A\"\"\",100000000000000002,Bob,\r\n\r\n\n")
        #expect(rows.map(\.name) == ["Doe, Jane", "Bob"])
        #expect(rows.map(\.rank) == ["Lead", "Staff \"A\""])
        #expect(rows.map(\.line) == [2, 3])
    }

    @Test func reportsEveryBadRowWithItsLine() {
        #expect(
            throws: RosterCSV.Invalid(problems: [
                RosterCSV.Problem(line: 2, message: "discord_id 'abc' is not a Discord user id (17-20 digits)"),
                RosterCSV.Problem(line: 3, message: "name is empty"),
                RosterCSV.Problem(line: 5, message: "discord_id 100000000000000001 is already on line 4"),
            ])
        ) {
            try RosterCSV.parse("name,rank,discord_id\nA,r,abc\n,r,100000000000000009\nB,r,100000000000000001\nC,r,100000000000000001\n")
        }
    }

    @Test func namesAMissingColumnAndAnUnclosedQuote() {
        #expect(throws: RosterCSV.Invalid.self) { try RosterCSV.parse("name,discord_id\nA,100000000000000001\n") }
        #expect(throws: RosterCSV.Invalid(problems: [RosterCSV.Problem(line: 2, message: "a quoted field is not closed")])) {
            try RosterCSV.parse("name,rank,discord_id\n\"A,r,100000000000000001\n")
        }
        #expect(throws: RosterCSV.Invalid(problems: [RosterCSV.Problem(line: 1, message: "the file is empty")])) {
            try RosterCSV.parse("")
        }
    }
}
