/// Asks Discord whether it accepts settings about to be saved: the doctor's checks that the changed fields
/// touch, run on the candidate settings and told as problems of the fields to fix.
struct ClientSettingsCheck {
    typealias Field = DiscordClientSettings.Field

    /// A doctor on the candidate settings (and a Discord client with their credentials).
    let doctor: Doctor

    /// The problems of the fields in `changed`; empty when Discord accepts them all.
    func problems(changed: Set<Field>) -> [ClientSettingsProblem] {
        var problems: [ClientSettingsProblem] = []
        if !changed.isDisjoint(with: [.clientID, .clientSecret]), let message = Self.problem(doctor.oauthClient()) {
            // Discord cannot tell which of the two is wrong: the changed one, or both when both changed.
            problems += [Field.clientSecret, .clientID].filter(changed.contains).map { ClientSettingsProblem($0, message) }
        }
        guard !changed.isDisjoint(with: [.botToken, .guildID]) else { return problems }
        let bot = doctor.botToken()
        guard let user = bot.user else {
            let message = Self.problem(bot.check) ?? "could not be checked."
            problems.append(
                changed.contains(.botToken)
                    ? ClientSettingsProblem(.botToken, message)
                    : ClientSettingsProblem(.guildID, "cannot be checked: the bot token in effect does not work. \(message)"))
            return problems
        }
        guard changed.contains(.guildID) || doctor.config.discordGuildID != nil else { return problems }
        if let message = Self.problem(doctor.guildAccess(botID: user.id).check) {
            problems.append(ClientSettingsProblem(changed.contains(.guildID) ? .guildID : .botToken, message))
        }
        return problems
    }

    /// A failed check as one sentence with its fix.
    static func problem(_ check: DoctorCheck) -> String? {
        problem(check.outcome)
    }

    static func problem(_ outcome: DoctorCheck.Outcome) -> String? {
        guard case .problem(let detail, let fix) = outcome else { return nil }
        return Self.sentence(detail) + " " + fix
    }

    /// The doctor's details start in lower case after the check's name ("guild: the bot is not in …").
    private static func sentence(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }
}
