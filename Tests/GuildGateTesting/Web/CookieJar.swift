/// The cookies of one site, kept as a browser keeps them: a `Set-Cookie` with an empty value or
/// `Max-Age=0` removes its cookie.
struct CookieJar {
    private(set) var cookies: [String: String] = [:]

    /// The `Cookie` header a browser would send; nil when there is no cookie.
    var header: String? {
        cookies.isEmpty ? nil : cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    mutating func set(_ name: String, _ value: String) {
        cookies[name] = value
    }

    /// Keeps what the `Set-Cookie` fields among a response's header fields say.
    mutating func remember(from fields: [(String, String)]) {
        for (name, value) in fields where name.lowercased() == "set-cookie" { remember(setCookie: value) }
    }

    private mutating func remember(setCookie cookie: String) {
        let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
        guard pair.count == 2 else { return }
        if pair[1].isEmpty || cookie.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
    }
}
