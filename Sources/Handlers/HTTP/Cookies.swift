/// Request `Cookie` parsing and `Set-Cookie` formatting.
public enum Cookies {
    public static func parse(_ header: String) -> [String: String] {
        var cookies: [String: String] = [:]
        for item in header.split(separator: ";") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            if cookies[name] == nil { cookies[name] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return cookies
    }

    /// A `Set-Cookie` value; always HttpOnly, SameSite=Lax and Path=/.
    public static func setCookie(name: String, value: String, maxAge: Int?, secure: Bool) -> String {
        var parts = ["\(name)=\(value)", "Path=/", "HttpOnly", "SameSite=Lax"]
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        if secure { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }
}

import Foundation
