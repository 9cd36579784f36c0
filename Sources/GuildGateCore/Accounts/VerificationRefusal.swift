/// Why a verification was refused: the `reason` next to `error=verification_failed`, for a precise page.
public enum VerificationRefusal: String, Error, CaseIterable, Sendable {
    case discordAccountLinked = "discord_account_linked"
    case userLinked = "user_linked"
    case emailInUse = "email_in_use"

    public var title: String {
        switch self {
        case .discordAccountLinked: return CallbackFailure.verificationFailed.title
        case .userLinked: return "This account is linked to another Discord account"
        case .emailInUse: return "This email address is already in use"
        }
    }

    public var advice: String {
        switch self {
        case .discordAccountLinked:
            return "That Discord account already belongs to a user here. To change that user's details, log in with Discord "
                + "and fill in the onboarding form while signed in; if the account is not yours to use here, ask an administrator to unlink it."
        case .userLinked:
            return "The account you are verifying already belongs to a different Discord account, and only that account can change it. "
                + "Log in with that Discord account, or ask an administrator to unlink it."
        case .emailInUse:
            return "Someone already verified this email address with their own Discord account, so it stays with them. "
                + "Use another email address, or ask an administrator to unlink it if it is yours."
        }
    }
}
