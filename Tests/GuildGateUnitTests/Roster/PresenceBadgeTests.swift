import Foundation
#if canImport(FoundationXML)
    import FoundationXML
#endif
import GuildGateCore
import Store
import Testing

/// The SVG GuildGate draws (the presence badge, a member's timeline and heatmap): well-formed XML whatever
/// the names and statuses hold.
@Suite struct PresenceSVG {
    /// The SVG parsed with Foundation's `XMLParser`: its elements' names and all of its text.
    final class Reader: NSObject, XMLParserDelegate {
        var elements: [String] = []
        var text = ""
        var attributes: [[String: String]] = []

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String]
        ) {
            elements.append(name)
            self.attributes.append(attributes)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            text += string
        }
    }

    static func parse(_ svg: String) throws -> Reader {
        let parser = XMLParser(data: Data(svg.utf8))
        let reader = Reader()
        parser.delegate = reader
        #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") in \(svg)")
        return reader
    }

    static let hostile = #"<b>"Ann" & 'Bob'</b>]]>"# + "\u{1}\u{7}"

    @Test func theBadgeIsWellFormedAndEscapesEveryText() throws {
        let card = PresenceCard(
            discordID: "100000000000000001", name: Self.hostile, status: "dnd", customStatus: nil,
            activity: "Playing <script>alert(1)</script> & more", lastSeenAt: nil)
        let svg = PresenceBadge.svg(card)
        let reader = try Self.parse(svg)
        #expect(reader.elements.first == "svg")
        #expect(!reader.elements.contains("b") && !reader.elements.contains("script"))
        #expect(reader.text.contains(#"<b>"Ann" & 'Bob'</b>]]>"#), "the name reads back as it was, less control characters")
        #expect(reader.text.contains("Playing <script>alert(1)</script> & more"))
        #expect(reader.attributes.contains { $0["fill"] == "#f23f43" }, "the dnd dot")
        #expect(reader.attributes.first?["aria-label"]?.contains(#""Ann""#) == true)
    }

    @Test func theBadgeShowsTheStatusWhenThereIsNoActivityAndCutsLongNames() throws {
        let card = PresenceCard(
            discordID: "100000000000000001", name: String(repeating: "W", count: 200), status: "online", customStatus: nil,
            activity: nil, lastSeenAt: nil)
        let reader = try Self.parse(PresenceBadge.svg(card))
        #expect(reader.text.contains("Online"))
        #expect(reader.text.contains(String(repeating: "W", count: 32) + "…"))
        #expect(!reader.text.contains(String(repeating: "W", count: 33)))
    }

    @Test func theTimelineAndHeatmapAreWellFormed() throws {
        let midnight = PresenceTimelineMath.midnight
        let history = [
            PresenceInterval(
                status: "online", customStatus: Self.hostile, activity: "<&>", start: midnight.addingTimeInterval(-3_600),
                end: midnight.addingTimeInterval(7_200)),
            PresenceInterval(status: "idle", customStatus: nil, activity: nil, start: midnight.addingTimeInterval(7_200), end: nil),
        ]
        let timeline = PresenceTimeline(
            history: history, from: midnight.addingTimeInterval(-86_400), to: midnight.addingTimeInterval(86_400),
            now: midnight.addingTimeInterval(10_800))
        let chart = try Self.parse(PresenceTimelineChart.timeline(timeline))
        #expect(chart.elements.filter { $0 == "title" }.count == 3, "the interval across midnight is drawn on both days")
        #expect(chart.text.contains("Online · <b>\"Ann\""))
        let heatmap = try Self.parse(PresenceTimelineChart.heatmap(timeline))
        #expect(heatmap.elements.filter { $0 == "rect" }.count == 24)
        #expect(heatmap.text.contains("23:00–00:00 UTC: 1 h 00 min online"))
    }
}
