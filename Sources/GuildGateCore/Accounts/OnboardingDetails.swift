/// What the onboarding form asks for. The details wait with the verification and reach the user only when
/// a Discord account allowed to take them approves it: an email proves nothing.
public struct OnboardingDetails: Sendable, Equatable {
    public static let personalities = ["friendly", "loving", "professional", "playful"]
    public static let channels = ["discord", "email", "web"]

    public var name: String
    public var email: String
    public var personality: String
    public var channel: String

    public init(name: String = "", email: String = "", personality: String = "friendly", channel: String = "discord") {
        self.name = name
        self.email = email
        self.personality = personality
        self.channel = channel
    }
}
