import Foundation
@testable import GuildGateCore
import Logging
import Synchronization
import Testing

/// `LOG_FORMAT=json`: each record is one line that parses as one JSON object with the fields a log shipper reads.
@Suite struct JSONLogHandlerTests {
    final class Lines: Sendable {
        let written = Mutex<[String]>([])
    }

    static let moment = Date(timeIntervalSince1970: 1_796_000_000.25)

    func logger(_ lines: Lines) -> Logger {
        var logger = Logger(label: "guildgate-web") { label in
            JSONLogHandler(label: label, write: { line in lines.written.withLock { $0.append(line) } }, clock: { Self.moment })
        }
        logger[metadataKey: "request_id"] = "4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f"
        return logger
    }

    func objects(_ lines: Lines) throws -> [[String: Any]] {
        let text = lines.written.withLock { $0.joined() }
        #expect(text.hasSuffix("\n"))
        return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not one JSON object: \(line)")
        }
    }

    @Test func oneObjectPerLineWithTimestampLevelLabelMessageMetadataAndSource() throws {
        let lines = Lines()
        logger(lines).notice("client went away", metadata: ["path": "/files/3", "parts": ["1", "2"], "attempt": "\(2)"])
        let record = try #require(try objects(lines).first)
        #expect(record["timestamp"] as? String == "2026-11-30T00:53:20.250Z")
        #expect(record["level"] as? String == "notice")
        #expect(record["label"] as? String == "guildgate-web")
        #expect(record["message"] as? String == "client went away")
        let metadata = try #require(record["metadata"] as? [String: Any])
        #expect(metadata["request_id"] as? String == "4f1c0d2e9a8b7c6d5e4f3a2b1c0d9e8f")
        #expect(metadata["path"] as? String == "/files/3")
        #expect(metadata["parts"] as? [String] == ["1", "2"])
        #expect(metadata["attempt"] as? String == "2")
        #expect(record["source"] as? String == "GuildGateUnitTests")
        #expect((record["file"] as? String)?.hasSuffix("JSONLogHandlerTests.swift") == true)
        #expect(record["line"] as? Int != nil)
    }

    @Test func aMessageWithLineBreaksAndQuotesStaysOnOneLine() throws {
        let lines = Lines()
        let logger = logger(lines)
        logger.error("first\nsecond \"quoted\" \u{1}", metadata: ["error": "a\r\nb"])
        logger.info("next")
        let records = try objects(lines)
        #expect(records.count == 2)
        #expect(records[0]["message"] as? String == "first\nsecond \"quoted\" \u{1}")
        #expect((records[0]["metadata"] as? [String: Any])?["error"] as? String == "a\r\nb")
        #expect(records[1]["message"] as? String == "next")
    }

    @Test func belowTheLevelNothingIsWritten() throws {
        let lines = Lines()
        var logger = logger(lines)
        logger.logLevel = .info
        logger.debug("hidden")
        #expect(lines.written.withLock { $0.isEmpty })
    }

    @Test func logFormatIsTextUnlessSetToJSON() throws {
        #expect(try LogFormat(setting: nil) == .text)
        #expect(try LogFormat(setting: "") == .text)
        #expect(try LogFormat(setting: "JSON") == .json)
        #expect(throws: ConfigError.invalid("LOG_FORMAT", reason: "'logfmt' is neither text nor json")) {
            try LogFormat(setting: "logfmt")
        }
    }
}
