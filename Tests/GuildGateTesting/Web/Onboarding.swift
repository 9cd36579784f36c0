import Foundation
import Testing

/// A unique email so tests never collide with each other's users.
public func uniqueEmail() -> String {
    "user-\(UUID().uuidString.prefix(12).lowercased())@example.com"
}

extension WebClient {
    /// `POST /api/user/onboarding` with a valid form; the JSON answer.
    public func onboard(name: String = "Test User", email: String = uniqueEmail()) throws -> [String: Any] {
        let page = try post(
            "/api/user/onboarding",
            json: """
                {"name":"\(name)","email":"\(email)","selectedPersonality":"friendly","communicationChannel":"discord"}
                """)
        #expect(page.status == 200, "\(page.body)")
        return try #require(page.json)
    }
}
