import Foundation
import GuildGateCore
import JSONSupport
import Store

/// Onboarding over HTTP (`Onboarding` has the rules): the `/onboarding` form and `POST /api/user/onboarding`,
/// which hand out the two next steps (add the bot, verify with Discord).
enum OnboardingRoutes {
    static func register(on router: inout Router) {
        router.get("/onboarding", .anyone) { _, context in
            _ = try context.ensureSession()
            return try context.render("onboarding", formValues(OnboardingDetails(), errors: []))
        }
        router.post("/onboarding", .anyone, csrf: .formField, submitForm)
        router.post("/api/user/onboarding", .anyone, csrf: .notNeeded, submitJSON)
    }

    static func validate(_ value: (String) -> String?) throws(HTTPError) -> OnboardingDetails {
        var validator = FieldValidator()
        let details = OnboardingDetails(
            name: validator.text("name", value("name"), maxLength: 100),
            email: validator.email("email", value("email")),
            personality: validator.choice("selectedPersonality", value("selectedPersonality"), from: OnboardingDetails.personalities),
            channel: validator.choice("communicationChannel", value("communicationChannel"), from: OnboardingDetails.channels))
        try validator.check()
        return details
    }

    private static func begin(_ details: OnboardingDetails, signedInUserID: Int?, context: RequestContext) throws -> Onboarding.Pending {
        try Onboarding.begin(details, signedInUserID: signedInUserID, db: context.db, now: context.now, logger: context.logger)
    }

    static let instructions =
        "1. Add the bot to your Discord server with the invite link. "
        + "2. Open verification_url and approve GuildGate in Discord: your Discord account is then linked "
        + "and you can talk to the bot in a DM or by mentioning it. The link expires in 30 minutes."

    private static func submitJSON(_ request: Request, _ context: RequestContext) throws -> Response {
        let body = try request.jsonObject()
        let pending = try begin(try validate { body[$0]?.string }, signedInUserID: nil, context: context)
        return .json([
            "success": true,
            "user_id": .int(pending.user.id),
            "verification_url": .string(DiscordLinks.verificationURL(token: pending.token, config: context.config)),
            "verification_token": .string(pending.token),
            "invite_url": .string(context.services.environment.botInviteURL),
            "instructions": .string(instructions),
        ])
    }

    private static func submitForm(_ request: Request, _ context: RequestContext) throws -> Response {
        let fields = try request.formFields()
        try context.verifyCSRF(fields["csrf_token"])
        let details: OnboardingDetails
        do {
            details = try validate { fields[$0] }
        } catch {
            let submitted = OnboardingDetails(
                name: fields["name"] ?? "", email: fields["email"] ?? "",
                personality: fields["selectedPersonality"] ?? "", channel: fields["communicationChannel"] ?? "")
            return try context.render("onboarding", formValues(submitted, errors: error.fieldErrors), status: .badRequest)
        }
        let pending = try begin(details, signedInUserID: try context.session()?.userID, context: context)
        return try context.render(
            "onboarding-next",
            [
                "name": details.name, "invite_url": context.services.environment.botInviteURL,
                "verification_url": DiscordLinks.verificationURL(token: pending.token, config: context.config),
            ])
    }

    private static func formValues(_ input: OnboardingDetails, errors: [FieldError]) -> [String: Any] {
        func options(_ choices: [String], selected: String) -> [[String: Any]] {
            choices.map { ["value": $0, "label": $0.capitalized, "selected": $0 == selected] }
        }
        return [
            "name": input.name, "email": input.email,
            "personalities": options(OnboardingDetails.personalities, selected: input.personality),
            "channels": options(OnboardingDetails.channels, selected: input.channel),
            "errors": errors.map { ["field": $0.field, "message": $0.message] },
            "has_errors": !errors.isEmpty,
        ]
    }
}
