import DiscordKit
import Foundation
import GuildGateCore
import JSONSupport
import Store
import WireFormats

/// Discord account linking and "Log in with Discord" over HTTP (`DiscordSignIn` has the rules):
/// `/discord/verify`, `/login`, the OAuth callback, `/logout`, the bot invite, and the success and error
/// pages the callback leads to. Every outcome of the callback is a redirect.
enum DiscordAuthRoutes {
    static func register(on router: inout Router) {
        router.get("/api/discord/invite", .anyone) { _, context in
            .json(["invite_url": .string(context.services.environment.botInviteURL)])
        }
        // `/api/discord/callback`, and seed 004's `/discord/sso/callback` for whoever registered that URL.
        for path in AppConfig.callbackPaths { router.get(path, .anyone, callback) }
        router.get("/discord/verify", .anyone, verify)
        router.get("/login", .anyone, login)
        router.post("/logout", .anyone, csrf: .formField, logout)
        router.get("/discord/success", .anyone) { request, context in
            try context.render(
                "discord-success",
                [
                    "username": request.query["username"] ?? "", "not_signed_in": request.query["signed_in"] == "0",
                ])
        }
        router.get("/discord/error", .anyone, errorPage)
    }

    /// `GET /login?next=/path`: sends the browser to Discord to log in.
    private static func login(_ request: Request, _ context: RequestContext) throws -> Response {
        try startFlow(returnTo: localPath(request.query["next"]), verificationTokenHash: nil, context: context)
    }

    /// `GET /discord/verify?token=…`: the onboarding verification link. Binds the flow to this browser,
    /// then sends it to Discord; the token itself is never a `state`.
    private static func verify(_ request: Request, _ context: RequestContext) throws -> Response {
        guard let token = request.query["token"], let tokenHash = try Onboarding.waitingTokenHash(token, db: context.db, now: context.now)
        else { return redirectToError(.invalidToken, context: context) }
        return try startFlow(returnTo: "/", verificationTokenHash: tokenHash, context: context)
    }

    private static func startFlow(returnTo: String, verificationTokenHash: [UInt8]?, context: RequestContext) throws -> Response {
        let session = try context.ensureSession()
        guard
            let url = try signIn(context).start(
                sessionIDHash: session.idHash, returnTo: returnTo, verificationTokenHash: verificationTokenHash, now: context.now)
        else { return redirectToError(.oauthNotConfigured, context: context) }
        return .redirect(to: url)
    }

    private static func signIn(_ context: RequestContext) -> DiscordSignIn {
        DiscordSignIn(config: context.config, pkceKeys: context.services.environment.pkceKeys, db: context.db, logger: context.logger)
    }

    private static func logout(_ request: Request, _ context: RequestContext) throws -> Response {
        try context.verifyCSRF(try request.formFields()["csrf_token"])
        try context.endSession()
        return .redirect(to: "/", status: .seeOther)
    }

    private static func errorPage(_ request: Request, _ context: RequestContext) throws -> Response {
        let failure = CallbackFailure.from(code: request.query["error"])
        let refusal = failure == .verificationFailed ? request.query["reason"].flatMap(VerificationRefusal.init) : nil
        var advice = refusal?.advice ?? failure.advice
        let config = context.config
        if failure == .notGuildMember, config.discordServerInviteURL == nil, let guildID = config.discordGuildID {
            advice += " (The server's id is \(guildID); ask whoever sent you here for an invite.)"
        }
        var values: [String: Any] = ["code": failure.rawValue, "title": refusal?.title ?? failure.title, "advice": advice]
        if failure == .notGuildMember { values["server_invite_url"] = config.discordServerInviteURL }
        return try context.render("discord-error", values)
    }

    /// Only same-site paths are followed after login (no open redirect).
    static func localPath(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.hasPrefix("/\\"),
            !candidate.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return "/" }
        return candidate
    }

    /// `GET /api/discord/callback?code&state` (or its alias): completes the flow this browser started. Every
    /// outcome is a redirect.
    private static func callback(_ request: Request, _ context: RequestContext) throws -> Response {
        do {
            return try completeCallback(request, context)
        } catch let gone as ClientGone {
            throw gone
        } catch let failure as CallbackFailure {
            context.logger.notice("discord callback failed", metadata: ["error": "\(failure.rawValue)"])
            return redirectToError(failure, context: context)
        } catch let refusal as VerificationRefusal {
            context.logger.notice("discord verification refused", metadata: ["reason": "\(refusal.rawValue)"])
            return .redirect(to: DiscordLinks.errorURL(.verificationFailed, reason: refusal, config: context.config))
        } catch {
            context.logger.error("discord callback failed", metadata: ["error": "\(error)"])
            return redirectToError(.serverError, context: context)
        }
    }

    private static func completeCallback(_ request: Request, _ context: RequestContext) throws -> Response {
        guard let code = request.query["code"], !code.isEmpty, let state = request.query["state"], !state.isEmpty else {
            throw CallbackFailure.missingParams
        }
        let signIn = signIn(context)
        let flow = try signIn.resume(state: state, sessionIDHash: try context.session()?.idHash, now: context.now)
        let discord = context.services.discord(logger: context.logger)
        let discordUser = try signIn.approvingUser(
            code: code, state: state, flow: flow, discord: discord, stillWanted: request.ensureClientConnected)
        try request.ensureClientConnected()
        let isMember = try GuildMembership.allowsWebsite(
            discordID: discordUser.id, config: context.config, discord: discord, logger: context.logger)
        guard let tokenHash = flow.verificationTokenHash else {
            guard isMember else { throw CallbackFailure.notGuildMember }
            let user = try signIn.logIn(discordUser)
            try startSession(user, discordID: discordUser.id, signIn: signIn, context: context)
            return .redirect(to: context.config.webAppBaseURL + flow.returnTo)
        }
        let user = try signIn.completeVerification(tokenHash: tokenHash, discordUser: discordUser, now: context.now)
        var success = context.config.webAppBaseURL + "/discord/success?username=" + FormEncoding.encode(discordUser.username)
        if isMember {
            try startSession(user, discordID: discordUser.id, signIn: signIn, context: context)
        } else {
            success += "&signed_in=0"
        }
        return .redirect(to: success)
    }

    private static func startSession(_ user: User, discordID: String, signIn: DiscordSignIn, context: RequestContext) throws {
        try context.startSession(userID: user.id, adminID: nil)
        try signIn.linkStaffMember(discordID: discordID, userID: user.id)
    }

    private static func redirectToError(_ failure: CallbackFailure, context: RequestContext) -> Response {
        .redirect(to: DiscordLinks.errorURL(failure, config: context.config))
    }
}
