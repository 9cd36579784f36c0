import JSONSupport
import DiscordKit
import Foundation
import Store
import WireFormats

/// Discord account linking and "Log in with Discord": `/discord/verify`, `/login`, the OAuth callback,
/// `/logout`, the bot invite, and the success and error pages the callback leads to.
///
/// Every flow starts in the browser that will finish it: a single-use `state` bound to that browser's
/// session, with PKCE. The callback refuses a state another browser started, so a callback URL (code and
/// state) opened elsewhere never links or signs in anyone.
enum DiscordAuthRoutes {
    static let stateLifetime: TimeInterval = 10 * 60

    static func register(on router: inout Router) {
        router.get("/api/discord/invite", .anyone) { _, context in
            .json(["invite_url": .string(context.services.environment.botInviteURL)])
        }
        router.get("/api/discord/callback", .anyone, callback)
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
        guard let token = request.query["token"], !token.isEmpty, token.utf8.count <= 128,
            try PendingVerificationStore(context.db).pending(tokenHash: Secrets.sha256(token), now: context.now) != nil
        else { return redirectToError(.invalidToken, context: context) }
        return try startFlow(returnTo: "/", verificationTokenHash: Secrets.sha256(token), context: context)
    }

    private static func startFlow(returnTo: String, verificationTokenHash: [UInt8]?, context: RequestContext) throws -> Response {
        let state = Secrets.randomToken()
        guard let url = DiscordLinks.authorizeURL(state: state, environment: context.services.environment) else {
            return redirectToError(.oauthNotConfigured, context: context)
        }
        let session = try context.ensureSession()
        let states = OAuthStateStore(context.db)
        try states.deleteExpired(now: context.now)
        try states.create(
            stateHash: Secrets.sha256(state), sessionIDHash: session.idHash, returnTo: returnTo,
            verificationTokenHash: verificationTokenHash, expiresAt: context.now.addingTimeInterval(stateLifetime))
        return .redirect(to: url)
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
        if failure == .notGuildMember, let guildID = context.config.discordGuildID {
            advice += " (The server's id is \(guildID); ask whoever sent you here for an invite.)"
        }
        return try context.render(
            "discord-error",
            [
                "code": failure.rawValue, "title": refusal?.title ?? failure.title, "advice": advice,
            ])
    }

    /// Only same-site paths are followed after login (no open redirect).
    static func localPath(_ candidate: String?) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.hasPrefix("/\\"),
            !candidate.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return "/" }
        return candidate
    }

    /// `GET /api/discord/callback?code&state`: completes the flow this browser started. Every outcome is a
    /// redirect.
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
        let flow: (returnTo: String, verificationTokenHash: [UInt8]?)
        switch try OAuthStateStore(context.db).consume(
            stateHash: Secrets.sha256(state), sessionIDHash: try context.session()?.idHash, now: context.now)
        {
        case .valid(let returnTo, let verificationTokenHash): flow = (returnTo, verificationTokenHash)
        case .expired, .otherBrowser, .unknown: throw CallbackFailure.invalidToken
        }
        let discordUser = try fetchDiscordUser(code: code, state: state, request: request, context: context)
        try request.ensureClientConnected()
        let isMember = try GuildMembership.allowsWebsite(discordID: discordUser.id, context: context)
        guard let tokenHash = flow.verificationTokenHash else {
            guard isMember else { throw CallbackFailure.notGuildMember }
            let user = try UserStore(context.db).upsertDiscordLogin(discordID: discordUser.id, discordUsername: discordUser.username)
            context.logger.info("logged in with discord", metadata: ["user_id": "\(user.id)"])
            try signIn(user, discordID: discordUser.id, context: context)
            return .redirect(to: context.config.webAppBaseURL + flow.returnTo)
        }
        let user = try completeVerification(tokenHash: tokenHash, discordUser: discordUser, context: context)
        var success = context.config.webAppBaseURL + "/discord/success?username=" + FormEncoding.encode(discordUser.username)
        if isMember {
            try signIn(user, discordID: discordUser.id, context: context)
        } else {
            success += "&signed_in=0"
        }
        return .redirect(to: success)
    }

    /// Links the Discord account to the onboarded user, or says why it may not.
    private static func completeVerification(tokenHash: [UInt8], discordUser: DiscordUser, context: RequestContext) throws -> User {
        switch try PendingVerificationStore(context.db).complete(
            tokenHash: tokenHash, discordID: discordUser.id, discordUsername: discordUser.username, now: context.now)
        {
        case .linked(let user):
            context.logger.info("linked discord account", metadata: ["user_id": "\(user.id)"])
            return user
        case .tokenInvalid: throw CallbackFailure.invalidToken
        case .discordAccountTaken: throw VerificationRefusal.discordAccountLinked
        case .userLinkedElsewhere: throw VerificationRefusal.userLinked
        case .emailInUse: throw VerificationRefusal.emailInUse
        }
    }

    /// Starts the user's session and links the staff member with the same Discord id, if any.
    private static func signIn(_ user: User, discordID: String, context: RequestContext) throws {
        try context.startSession(userID: user.id, adminID: nil)
        try StaffStore(context.db).link(discordID: discordID, userID: user.id)
    }

    private static func fetchDiscordUser(code: String, state: String, request: Request, context: RequestContext) throws -> DiscordUser {
        let discord = context.services.discord(logger: context.logger)
        let token: OAuthToken
        do {
            token = try discord.exchangeCode(
                code, redirectURI: context.config.discordRedirectURI,
                codeVerifier: PKCE(state: state, key: context.services.environment.pkceKey).verifier)
        } catch {
            switch error {
            case .notConfigured: throw CallbackFailure.oauthNotConfigured
            case .noAccessToken: throw CallbackFailure.noAccessToken
            default:
                context.logger.notice("discord token exchange failed", metadata: ["error": "\(error)"])
                throw CallbackFailure.tokenExchangeFailed
            }
        }
        try request.ensureClientConnected()
        do {
            return try discord.currentUser(accessToken: token.accessToken)
        } catch {
            switch error {
            case .noUserID: throw CallbackFailure.noDiscordID
            default:
                context.logger.notice("discord user lookup failed", metadata: ["error": "\(error)"])
                throw CallbackFailure.userInfoFailed
            }
        }
    }

    private static func redirectToError(_ failure: CallbackFailure, context: RequestContext) -> Response {
        .redirect(to: DiscordLinks.errorURL(failure, config: context.config))
    }
}
