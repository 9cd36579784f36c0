import Foundation
@testable import GuildGateCore
@testable import Handlers
@testable import Store
import Testing

/// The admin panel's rules that need no database: staff details, the roster CSV's export (RFC 4180 quoting,
/// the formula-injection guard) and what its import reads back, schedule intervals.
@Suite struct AdminRules {
    @Test func staffDetailsAreTrimmedAndEveryBrokenRuleIsNamed() throws {
        let details = try StaffDetails.validated(name: "  Ann  ", rank: " Lead ", discordID: " 100000000000000001 ")
        #expect(details == StaffDetails(name: "Ann", rank: "Lead", discordID: "100000000000000001"))
        #expect(throws: StaffDetails.Invalid.self) { try StaffDetails.validated(name: "A", rank: "", discordID: "1000000000000000000001") }
        do {
            _ = try StaffDetails.validated(name: String(repeating: "n", count: 101), rank: "a\nb", discordID: "１２３４５６７８９０１２３４５６７８")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.map(\.field) == ["name", "rank", "discord_id"], "full-width digits are not a snowflake")
            #expect(error.problems.map(\.description).first == "name is longer than 100 characters")
        }
        #expect(try StaffDetails.validated(name: "Ann", rank: "", discordID: "12345678901234567").rank == "", "a rank may be empty")
    }

    @Test func spreadsheetCellsAreQuotedAndGuardedAgainstFormulas() {
        #expect(SpreadsheetCell.field("plain") == "plain")
        #expect(SpreadsheetCell.field("a,b") == "\"a,b\"")
        #expect(SpreadsheetCell.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(SpreadsheetCell.field("two\r\nlines") == "\"two\r\nlines\"")
        #expect(SpreadsheetCell.field(" padded") == "\" padded\"")
        for formula in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            #expect(SpreadsheetCell.protect(formula) == "'" + formula)
            #expect(SpreadsheetCell.unprotect(SpreadsheetCell.protect(formula)) == formula)
        }
        #expect(SpreadsheetCell.field("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")
        #expect(SpreadsheetCell.unprotect("'quoted") == "'quoted", "only the guard's own quote is removed")
        #expect(SpreadsheetCell.protect("") == "")
    }

    @Test func anExportedRosterImportsBackUnchanged() throws {
        let members = [
            member(1, "=cmd|' /C calc'!A0", "+Lead", "100000000000000001", active: true),
            member(2, "Doe, \"Jane\"", "-", "100000000000000002", active: false),
            member(3, "@home", "", "100000000000000003", active: true),
        ]
        let csv = RosterCSV.export(members)
        #expect(csv.hasPrefix("name,rank,discord_id,active\r\n"))
        #expect(csv.hasSuffix("\r\n"))
        #expect(csv.contains("'=cmd|' /C calc'!A0,'+Lead,100000000000000001,true\r\n"))
        #expect(csv.contains("\"Doe, \"\"Jane\"\"\",'-,100000000000000002,false\r\n"))
        let rows = try RosterCSV.parse(csv)
        #expect(rows.map(\.name) == members.map(\.name))
        #expect(rows.map(\.rank) == members.map(\.rank))
        #expect(rows.map(\.discordID) == members.map(\.discordID))
        #expect(rows.map(\.active) == [true, false, true])
    }

    @Test func theImportReadsAnActiveColumnAndAByteOrderMark() throws {
        let rows = try RosterCSV.parse("\u{FEFF}Name,Rank,Discord_ID,Active\nA,r,100000000000000001,no\nB,r,100000000000000002,\n")
        #expect(rows.map(\.active) == [false, true])
        #expect(throws: RosterCSV.Invalid(problems: [RosterCSV.Problem(line: 2, message: "active 'maybe' is not true or false")])) {
            try RosterCSV.parse("name,rank,discord_id,active\nA,r,100000000000000001,maybe\n")
        }
        #expect(
            throws: RosterCSV.Invalid(problems: [
                RosterCSV.Problem(line: 2, message: "name is empty"),
                RosterCSV.Problem(line: 2, message: "discord_id 'x' is not a Discord user id (17-20 digits)"),
            ])
        ) { try RosterCSV.parse("name,rank,discord_id\n,r,x\n") }
    }

    @Test func intervalsReadAsPeopleWriteThem() {
        #expect(ScheduleInterval.text(300) == "5 min")
        #expect(ScheduleInterval.text(604_800) == "7 days")
        #expect(ScheduleInterval.text(86400) == "1 day")
        #expect(ScheduleInterval.text(7200) == "2 h")
        #expect(ScheduleInterval.text(90) == "90 s")
        #expect(ScheduleInterval.split(120) == (2, .minutes))
        var errors: [FieldError] = []
        #expect(ScheduleInterval.seconds(value: " 3 ", unit: "hours", errors: &errors) == 10800)
        #expect(ScheduleInterval.seconds(value: "99999999999999999", unit: "days", errors: &errors) == Int.max, "overflow is out of range")
        #expect(errors.isEmpty)
        #expect(ScheduleInterval.seconds(value: "0", unit: "days", errors: &errors) == nil)
        #expect(ScheduleInterval.seconds(value: "1", unit: "weeks", errors: &errors) == nil)
        #expect(errors.map(\.field) == ["interval", "unit"])
        #expect(ScheduleAdministration.intervalRange == 60...2_592_000)
    }

    private func member(_ id: Int, _ name: String, _ rank: String, _ discordID: String, active: Bool) -> StaffMember {
        StaffMember(id: id, name: name, rank: rank, discordID: discordID, active: active, userID: nil, createdAt: nil, updatedAt: nil)
    }
}
