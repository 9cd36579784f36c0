/// What saving a `ClientSettingsChange` would do, worked out before anything is asked or written: the
/// settings to save, which fields change, and what is wrong with the values on their own.
struct ClientSettingsPlan {
    /// The saved settings after the change.
    let saved: DiscordClientSettings
    /// The settings in effect after the change.
    let config: AppConfig
    /// Fields that get a saved value (new, or another than before).
    let assigned: [DiscordClientSettings.Field]
    /// Saved fields given back to the environment.
    let cleared: [DiscordClientSettings.Field]
    /// Fields whose value in effect changes.
    let changedInEffect: Set<DiscordClientSettings.Field>
    /// What Discord must accept: every field whose value in effect changes or that gets a saved value.
    var checked: Set<DiscordClientSettings.Field> { changedInEffect.union(assigned) }
    /// Problems found without asking Discord.
    let problems: [ClientSettingsProblem]

    var changesNothing: Bool { assigned.isEmpty && cleared.isEmpty }

    /// - Parameters:
    ///   - base: the environment's settings.
    ///   - current: what is saved now.
    init(_ change: ClientSettingsChange, base: AppConfig, current: DiscordClientSettings) {
        let before = base.overridden(by: current)
        var next = current
        var problems: [ClientSettingsProblem] = []
        for field in DiscordClientSettings.Field.allCases {
            switch change.edits[field] {
            case nil:
                continue
            case .set(let submitted)?:
                let value = submitted.trimmingCharacters(in: .whitespacesAndNewlines)
                if let problem = value.isEmpty ? "is empty." : field.problem(with: value) {
                    problems.append(ClientSettingsProblem(field, problem))
                } else if current[field] != nil || value != before[field] || field.isSecret {
                    // A value shown as the environment has it stays the environment's; a secret is never
                    // shown, so one typed in is meant to be saved.
                    next[field] = value
                }
            case .useEnvironment?:
                if field.isRequired, current[field] != nil, base[field] == nil {
                    problems.append(
                        ClientSettingsProblem(
                            field, "has no value in the environment (\(field.environmentName)) to fall back to: enter one instead."))
                }
                next[field] = nil
            }
        }
        let after = base.overridden(by: next)
        if change.edits[.callbackURL] != nil, !problems.contains(where: { $0.field == .callbackURL }),
            let outcome = Doctor.callbackNotServed(config: after, names: .form), let message = ClientSettingsCheck.problem(outcome)
        {
            problems.append(ClientSettingsProblem(.callbackURL, message))
        }
        saved = next
        config = after
        assigned = DiscordClientSettings.Field.allCases.filter { next[$0] != nil && next[$0] != current[$0] }
        cleared = DiscordClientSettings.Field.allCases.filter { next[$0] == nil && current[$0] != nil }
        changedInEffect = Set(DiscordClientSettings.Field.allCases.filter { after[$0] != before[$0] })
        self.problems = problems
    }
}
