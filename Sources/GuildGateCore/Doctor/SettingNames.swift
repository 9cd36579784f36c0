/// How the doctor's messages name a setting, so that each reader is told what to edit: an operator running
/// `guildgate-web doctor` the environment variable (or the admin panel's field, when the value in effect was
/// saved there), an admin saving the Discord client the field of the form.
public struct SettingNames: Sendable {
    private let savedFields: Set<DiscordClientSettings.Field>
    private let everyFieldIsTheForms: Bool

    /// Every setting by its environment variable (`DISCORD_BOT_TOKEN`).
    public static let environment = SettingNames(savedFields: [], everyFieldIsTheForms: false)

    /// Every setting as the admin panel's form calls it ("the bot token"): for checking settings an admin is
    /// about to save.
    public static let form = SettingNames(savedFields: [], everyFieldIsTheForms: true)

    /// Settings saved in the admin panel by their field there, the others by their environment variable.
    public static func live(_ settings: LiveConfig) -> SettingNames {
        SettingNames(
            savedFields: Set(DiscordClientSettings.Field.allCases.filter { settings.source(of: $0) == .saved }),
            everyFieldIsTheForms: false)
    }

    public subscript(field: DiscordClientSettings.Field) -> String {
        // "Bot token" → "the bot token", "Callback URL" → "the callback URL".
        let label = field.label.prefix(1).lowercased() + field.label.dropFirst()
        if everyFieldIsTheForms { return "the \(label)" }
        if savedFields.contains(field) { return "the \(label) saved at /admin/client" }
        return field.environmentName
    }
}
