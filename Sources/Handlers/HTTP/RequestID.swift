import WireFormats

/// A request's id: on every log line of the request (`request_id`) and in its response (`X-Request-Id`), so a
/// report that quotes it finds the lines. nginx's `$request_id` (the `REQUEST_ID` FastCGI param of
/// nginx/guildgate.conf.in, also in nginx's access log); one made here when nothing gave one.
public enum RequestID {
    public static let header = "X-Request-Id"

    /// `given` when it looks like an id (1 to 64 letters, digits, `-` and `_`: nothing a log line or a header
    /// could be bent with), else a new one.
    public static func accepting(_ given: String?) -> String {
        guard let given, (1...64).contains(given.utf8.count),
            given.utf8.allSatisfy({ byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            })
        else { return generate() }
        return given
    }

    /// 32 random hex digits, as nginx makes them.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
