import DiscordKit
import Foundation
import Store

/// `guildgate-web doctor`: seed 001's troubleshooting list (token, intents, permissions, guild id) as
/// checks against whatever Discord the settings point at, each with the exact fix when something is wrong.
/// The admin dashboard runs them too, and saving the Discord client runs the ones its changes touch on the
/// settings about to be saved (`ClientSettingsCheck`).
public struct Doctor {
    let config: AppConfig
    let discord: DiscordClient
    let db: PostgresConnection
    /// How messages name the settings to fix.
    let names: SettingNames

    /// What the file storage needs in each storage channel.
    static let storagePermissions: Permissions = [.viewChannel, .sendMessages, .attachFiles, .readMessageHistory]

    public init(config: AppConfig, discord: DiscordClient, db: PostgresConnection, names: SettingNames = .environment) {
        self.config = config
        self.discord = discord
        self.db = db
        self.names = names
    }

    public func run() -> [DoctorCheck] {
        let database = database()
        var checks = [
            database,
            database.isProblem ? DoctorCheck(name: "secret keys", outcome: .skipped(reason: "needs the database")) : secretKeys(),
            redirectURI(), oauthClient(),
        ]
        let bot = botToken()
        checks.append(bot.check)
        guard let botUser = bot.user else {
            let reason = "needs a valid bot token"
            return checks
                + ["privileged intents", "guild", "storage channels", "bot role"].map {
                    DoctorCheck(name: $0, outcome: .skipped(reason: reason))
                }
        }
        checks.append(privilegedIntents())
        let guild = guildAccess(botID: botUser.id)
        checks.append(guild.check)
        guard let access = guild.access else {
            return checks
                + ["storage channels", "bot role"].map {
                    DoctorCheck(name: $0, outcome: .skipped(reason: "needs the bot in \(names[.guildID])"))
                }
        }
        return checks + storageChannels(access) + [botRole(access)]
    }

    func check(_ name: String, _ body: () throws -> DoctorCheck.Outcome) -> DoctorCheck {
        do {
            return DoctorCheck(name: name, outcome: try body())
        } catch {
            return DoctorCheck(name: name, outcome: .problem("\(error)", fix: "See the message; run doctor again once it is fixed."))
        }
    }

    // MARK: - The website

    private func database() -> DoctorCheck {
        check("database") {
            let current: Int
            do {
                current = try Migrations.currentVersion(db)
            } catch {
                return .problem(
                    "PostgreSQL cannot be reached (\(error)).",
                    fix: "Check DATABASE_URL and that PostgreSQL is running and accepts this user.")
            }
            guard current >= Migrations.latestVersion else {
                return .problem("the schema is at version \(current) of \(Migrations.latestVersion).", fix: "Run `guildgate-web migrate`.")
            }
            return .ok("reachable, schema at version \(current)")
        }
    }

    func redirectURI() -> DoctorCheck {
        check("redirect URI") {
            if let problem = Self.callbackNotServed(config: config, names: names) { return problem }
            guard config.usesHTTPS || LoopbackURL.isLoopback(config.webAppBaseURL) else {
                return .problem(
                    "WEB_APP_BASE_URL is plain http on a public address: sessions and OAuth codes would travel in clear.",
                    fix: "Serve the site over https and set WEB_APP_BASE_URL=https://… (see README → Deployment).")
            }
            return .ok("\(config.discordRedirectURI) (register exactly this URL in the Developer Portal → OAuth2 → Redirects)")
        }
    }

    /// The redirect URI when the callback is not served there: a problem found without asking Discord.
    static func callbackNotServed(config: AppConfig, names: SettingNames) -> DoctorCheck.Outcome? {
        let expected = config.webAppBaseURL + AppConfig.callbackPath
        let served = AppConfig.callbackPaths.map { config.webAppBaseURL + $0 }
        guard !served.contains(config.discordRedirectURI) else { return nil }
        return .problem(
            "\(names[.callbackURL]) is \(config.discordRedirectURI), but the callback is served at \(served.joined(separator: " and ")).",
            fix:
                "Set \(names[.callbackURL]) to \(expected) (or leave it empty) and register exactly that URL in the Developer Portal → OAuth2 → Redirects."
        )
    }

    func oauthClient() -> DoctorCheck {
        check("OAuth client") {
            guard let clientID = config.discordClientID, config.discordClientSecret != nil else {
                return .problem(
                    "\(names[.clientID]) or \(names[.clientSecret]) is not set.",
                    fix: "Copy both from the Developer Portal → your application → OAuth2.")
            }
            do {
                try discord.verifyClientCredentials()
            } catch let error as OAuthError {
                if case .exchangeRejected(_, let code, _) = error, code == "invalid_client" {
                    return .problem(
                        "Discord refused the client id \(clientID) with this secret (invalid_client).",
                        fix:
                            "Copy \(names[.clientID]) and \(names[.clientSecret]) again from the Developer Portal → OAuth2 (Reset Secret if it was lost)."
                    )
                }
                return .problem(
                    "the token endpoint did not accept the client: \(error)",
                    fix: "Check \(names[.clientID]) and \(names[.clientSecret]) in the Developer Portal → OAuth2.")
            }
            return .ok("client \(clientID) accepted by the token endpoint")
        }
    }

    // MARK: - The bot

    func botToken() -> (check: DoctorCheck, user: DiscordUser?) {
        guard config.discordBotToken != nil else {
            return (
                DoctorCheck(
                    name: "bot token",
                    outcome: .problem(
                        "\(names[.botToken]) is not set.",
                        fix: "Developer Portal → your application → Bot → Reset Token, then copy it into \(names[.botToken]).")), nil
            )
        }
        do {
            let user = try discord.botUser()
            return (DoctorCheck(name: "bot token", outcome: .ok("valid: the bot is \(user.username) (\(user.id))")), user)
        } catch {
            if case .api(401, _, _) = error {
                return (
                    DoctorCheck(
                        name: "bot token",
                        outcome: .problem(
                            "Discord refused \(names[.botToken]) (401).",
                            fix:
                                "Developer Portal → your application → Bot → Reset Token, then copy the new token into \(names[.botToken])."
                        )
                    ), nil
                )
            }
            return (
                DoctorCheck(name: "bot token", outcome: .problem("\(error)", fix: "Check that Discord is reachable from this machine.")),
                nil
            )
        }
    }

    private func privilegedIntents() -> DoctorCheck {
        check("privileged intents") {
            let requested: GatewayIntents
            do {
                requested = try config.gatewayIntents()
            } catch {
                return .problem("\(error).", fix: "Use names such as GUILDS,GUILD_MEMBERS or leave it empty.")
            }
            let application = try discord.currentApplication()
            let missing = requested.intersection(.privileged).subtracting(
                GatewayIntents.enabledPrivileged(applicationFlags: application.flags))
            guard missing.isEmpty else {
                return .problem(
                    "the bot asks for \(missing.portalLabels.joined(separator: " and ")), which the Developer Portal has switched off: the gateway would close with 4014.",
                    fix:
                        "Developer Portal → your application → Bot → Privileged Gateway Intents: switch on \(missing.portalLabels.joined(separator: " and ")), or remove them from DISCORD_GATEWAY_INTENTS."
                )
            }
            let privileged = requested.intersection(.privileged)
            return .ok(privileged.isEmpty ? "none requested" : "enabled: \(privileged.names.joined(separator: ", "))")
        }
    }

    func guildAccess(botID: String) -> (check: DoctorCheck, access: MemberPermissions?) {
        guard let guildID = config.discordGuildID else {
            return (
                DoctorCheck(
                    name: "guild",
                    outcome: .problem(
                        "\(names[.guildID]) is not set.",
                        fix: "In Discord, Developer Mode → right-click your server → Copy Server ID, then set \(names[.guildID]).")), nil
            )
        }
        do {
            let guild = try discord.guild(id: guildID)
            let roles = try discord.guildMemberRoles(guildID: guildID, userID: botID)
            let access = MemberPermissions(guild: guild, memberID: botID, roleIDs: roles)
            return (DoctorCheck(name: "guild", outcome: .ok("the bot is in \(guild.name) (\(guild.id))")), access)
        } catch {
            switch error {
            case .api(_, 10004, _), .api(_, 50001, _), .api(_, 10007, _), .api(404, _, _), .api(403, _, _):
                return (
                    DoctorCheck(
                        name: "guild",
                        outcome: .problem(
                            "the bot is not in the server \(guildID) (or \(names[.guildID]) is wrong).",
                            fix:
                                "Invite it with the link from GET /api/discord/invite (\(DiscordLinks.botInviteURL(config: config))), or correct \(names[.guildID])."
                        )), nil
                )
            default:
                return (
                    DoctorCheck(
                        name: "guild", outcome: .problem("\(error)", fix: "Check \(names[.guildID]) and that Discord is reachable.")),
                    nil
                )
            }
        }
    }

    private func storageChannels(_ access: MemberPermissions) -> [DoctorCheck] {
        guard !config.discordStorageChannelIDs.isEmpty else {
            return [
                DoctorCheck(
                    name: "storage channels",
                    outcome: .problem(
                        "DISCORD_STORAGE_CHANNEL_IDS is not set: file storage is off.",
                        fix:
                            "Create one or more private text channels for the bot, copy their ids (Developer Mode → right-click → Copy Channel ID) into DISCORD_STORAGE_CHANNEL_IDS."
                    ))
            ]
        }
        return config.discordStorageChannelIDs.map { channelID in
            check("storage channel \(channelID)") {
                let channel: DiscordChannel
                do {
                    channel = try discord.channel(id: channelID)
                } catch let error as DiscordError {
                    switch error {
                    case .api(_, 10003, _), .api(404, _, _):
                        return .problem("there is no channel \(channelID).", fix: "Correct DISCORD_STORAGE_CHANNEL_IDS.")
                    case .api(_, 50001, _), .api(403, _, _):
                        return .problem(
                            "the bot cannot see channel \(channelID).",
                            fix: "In the channel's settings → Permissions, allow View Channel for the bot's role.")
                    default:
                        throw error
                    }
                }
                guard channel.guildID == access.guild.id else {
                    return .problem(
                        "#\(channel.name) is not in the server \(access.guild.id).",
                        fix: "Use channels of \(names[.guildID]) in DISCORD_STORAGE_CHANNEL_IDS.")
                }
                let missing = Self.storagePermissions.subtracting(access.in(channel))
                guard missing.isEmpty else {
                    return .problem(
                        "the bot lacks \(missing.names.joined(separator: ", ")) in #\(channel.name).",
                        fix:
                            "Edit Channel #\(channel.name) → Permissions → the bot's role (\(access.topRole?.name ?? "its role")): allow \(missing.names.joined(separator: ", "))."
                    )
                }
                return .ok("#\(channel.name): \(Self.storagePermissions.names.joined(separator: ", "))")
            }
        }
    }

    private func botRole(_ access: MemberPermissions) -> DoctorCheck {
        check("bot role") {
            guard let top = access.topRole else {
                return .problem("the bot has no role.", fix: "Invite it again with GET /api/discord/invite.")
            }
            let below = access.guild.roles.filter { $0.position < top.position && $0.id != access.guild.id }.count
            let manages =
                access.base.contains(.manageRoles)
                ? "with Manage Roles it can assign the \(below) role(s) below it"
                : "without Manage Roles (only role sync, not shipped yet, will need it)"
            return .ok(
                "\(top.name) at position \(top.position), \(manages); role sync manages only roles below it (Server Settings → Roles)")
        }
    }
}
