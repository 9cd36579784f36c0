import Store

/// A presence card as a small SVG badge for a website or a README: a dot in the status's colour, the
/// member's name, then their activity, custom status or status. Every text is XML-escaped.
public enum PresenceBadge {
    static let nameLimit = 32
    static let detailLimit = 48
    static let fontSize = 12.0

    public static func svg(_ card: PresenceCard) -> String {
        let detail = card.activity ?? card.customStatus ?? Roster.label(card.status)
        let nameX = 26.0
        let nameWidth = SVGText.width(card.name, fontSize: fontSize, limit: nameLimit)
        let detailX = nameX + nameWidth + 10
        let width = detailX + SVGText.width(detail, fontSize: fontSize, limit: detailLimit) + 12
        let name = SVGText.escaped(card.name, limit: nameLimit)
        let shownDetail = SVGText.escaped(detail, limit: detailLimit)
        let title =
            "\(name): \(SVGText.escaped(Roster.label(card.status)))" + (detail == Roster.label(card.status) ? "" : " · \(shownDetail)")
        let w = SVGText.number(width)
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(w)" height="28" viewBox="0 0 \(w) 28" role="img" aria-label="\(title)">\
            <title>\(title)</title>\
            <rect width="\(w)" height="28" rx="6" fill="#2b2d31"/>\
            <circle cx="14" cy="14" r="5" fill="\(SVGText.colour(card.status))"/>\
            <g font-family="Verdana,DejaVu Sans,sans-serif" font-size="\(SVGText.number(fontSize))">\
            <text x="\(SVGText.number(nameX))" y="18" fill="#ffffff" font-weight="bold">\(name)</text>\
            <text x="\(SVGText.number(detailX))" y="18" fill="#b5bac1">\(shownDetail)</text>\
            </g></svg>
            """
    }
}
