/// Text as it goes into the SVG GuildGate draws: XML-escaped, without the control characters XML 1.0
/// forbids, and cut to a length a small picture can show.
enum SVGText {
    static func escaped(_ text: String, limit: Int = .max) -> String {
        var out = ""
        var kept = 0
        for scalar in text.unicodeScalars {
            guard kept < limit else {
                out += "…"
                break
            }
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default:
                // XML 1.0 allows no other C0 control character, no surrogate (never a scalar here), nor U+FFFE/U+FFFF.
                guard scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF else { continue }
                out.unicodeScalars.append(scalar)
            }
            kept += 1
        }
        return out
    }

    /// Roughly how wide `text` is at `fontSize` in a sans-serif face (no font metrics on the server).
    static func width(_ text: String, fontSize: Double, limit: Int = .max) -> Double {
        Double(min(text.count, limit + 1)) * fontSize * 0.62
    }

    /// A number as SVG wants it: at most one decimal.
    static func number(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }

    /// The colour of a status, as the roster's badges show it.
    static func colour(_ status: String) -> String {
        switch status {
        case "online": return "#23a55a"
        case "idle": return "#f0b232"
        case "dnd": return "#f23f43"
        default: return "#80848e"
        }
    }
}
