import JSONSupport
import DiscordKit
import Foundation
import Store

/// Onboarding: the `/onboarding` form and `POST /api/user/onboarding`, which hand out the two next steps
/// (add the bot, verify with Discord). The submitted details wait with the verification and reach the
/// user only when a Discord account allowed to take them approves it: an email proves nothing.
enum OnboardingRoutes {
    static let personalities = ["friendly", "loving", "professional", "playful"]
    static let channels = ["discord", "email", "web"]
    static let tokenLifetime: TimeInterval = 30 * 60

    static func register(on router: inout Router) {
        router.get("/onboarding", .anyone) { _, context in
            _ = try context.ensureSession()
            return try context.render("onboarding", formValues(OnboardingInput(), errors: []))
        }
        router.post("/onboarding", .anyone, csrf: .formField, submitForm)
        router.post("/api/user/onboarding", .anyone, csrf: .notNeeded, submitJSON)
    }

    struct OnboardingInput {
        var name = ""
        var email = ""
        var personality = "friendly"
        var channel = "discord"
    }

    struct Outcome {
        let user: User
        let token: String
        let verificationURL: String
        let inviteURL: String
    }

    static func validate(_ value: (String) -> String?) throws(HTTPError) -> OnboardingInput {
        var validator = FieldValidator()
        let input = OnboardingInput(
            name: validator.text("name", value("name"), maxLength: 100),
            email: validator.email("email", value("email")),
            personality: validator.choice("selectedPersonality", value("selectedPersonality"), from: personalities),
            channel: validator.choice("communicationChannel", value("communicationChannel"), from: channels))
        try validator.check()
        return input
    }

    /// Holds the details in a pending verification for the user they are meant for: the signed-in user who
    /// submitted the form, else the user whose verified email it is, else a new user with nothing linked yet.
    static func submit(_ input: OnboardingInput, signedInUserID: Int?, context: RequestContext) throws -> Outcome {
        let users = UserStore(context.db)
        let pending = PendingVerificationStore(context.db)
        try pending.deleteExpired(now: context.now)
        try users.deleteAbandonedUnlinked(olderThan: context.now.addingTimeInterval(-tokenLifetime))
        let user =
            try signedInUserID.flatMap { id throws(StoreError) in try users.user(id: id) }
            ?? users.user(email: input.email)
            ?? users.createUnlinked(name: input.name, personality: input.personality, communicationChannel: input.channel)
        let token = Secrets.randomToken()
        try pending.create(
            tokenHash: Secrets.sha256(token), userID: user.id, name: input.name, email: input.email,
            personality: input.personality, communicationChannel: input.channel,
            expiresAt: context.now.addingTimeInterval(tokenLifetime))
        context.logger.info("onboarding verification pending", metadata: ["user_id": "\(user.id)"])
        return Outcome(
            user: user, token: token, verificationURL: DiscordLinks.verificationURL(token: token, config: context.config),
            inviteURL: context.services.environment.botInviteURL)
    }

    static let instructions =
        "1. Add the bot to your Discord server with the invite link. "
        + "2. Open verification_url and approve GuildGate in Discord: your Discord account is then linked "
        + "and you can talk to the bot in a DM or by mentioning it. The link expires in 30 minutes."

    private static func submitJSON(_ request: Request, _ context: RequestContext) throws -> Response {
        let body = try request.jsonObject()
        let input = try validate { body[$0]?.string }
        let outcome = try submit(input, signedInUserID: nil, context: context)
        return .json([
            "success": true,
            "user_id": .int(outcome.user.id),
            "verification_url": .string(outcome.verificationURL),
            "verification_token": .string(outcome.token),
            "invite_url": .string(outcome.inviteURL),
            "instructions": .string(instructions),
        ])
    }

    private static func submitForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        try context.verifyCSRF(fields["csrf_token"])
        let input: OnboardingInput
        do {
            input = try validate { fields[$0] }
        } catch {
            let submitted = OnboardingInput(
                name: fields["name"] ?? "", email: fields["email"] ?? "",
                personality: fields["selectedPersonality"] ?? "", channel: fields["communicationChannel"] ?? "")
            return try context.render("onboarding", formValues(submitted, errors: error.fieldErrors), status: .badRequest)
        }
        let outcome = try submit(input, signedInUserID: try context.session()?.userID, context: context)
        return try context.render(
            "onboarding-next",
            [
                "name": input.name, "invite_url": outcome.inviteURL, "verification_url": outcome.verificationURL,
            ])
    }

    private static func formValues(_ input: OnboardingInput, errors: [FieldError]) -> [String: Any] {
        func options(_ choices: [String], selected: String) -> [[String: Any]] {
            choices.map { ["value": $0, "label": $0.capitalized, "selected": $0 == selected] }
        }
        return [
            "name": input.name, "email": input.email,
            "personalities": options(personalities, selected: input.personality),
            "channels": options(channels, selected: input.channel),
            "errors": errors.map { ["field": $0.field, "message": $0.message] },
            "has_errors": !errors.isEmpty,
        ]
    }
}
