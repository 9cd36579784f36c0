import GuildGateCore
import JSONSupport

/// A request to change the Discord client's settings, as a form or a JSON object sends it.
enum ClientSettingsInput {
    typealias Field = DiscordClientSettings.Field

    /// The form's checkbox that gives a saved field back to the environment.
    static func useEnvironmentName(_ field: Field) -> String { "use_environment_" + field.rawValue }

    /// The form of `/admin/client`: every field (an empty secret keeps the stored one, another empty field
    /// goes back to the environment), and a checkbox per saved field to give it back to the environment.
    static func change(fromForm fields: [String: String]) -> ClientSettingsChange {
        var change = ClientSettingsChange()
        for field in Field.allCases {
            if fields[useEnvironmentName(field)] != nil {
                change.edits[field] = .useEnvironment
            } else if let edit = ClientSettingsChange.edit(for: field, submitted: fields[field.rawValue]) {
                change.edits[field] = edit
            }
        }
        return change
    }

    /// `PUT /api/admin/client`: `{"bot_token": "…", "invite_url": null}`. A field left out keeps its value,
    /// `null` gives a saved one back to the environment, an empty string is what the form's empty field is.
    static func change(fromJSON body: JSON) throws(HTTPError) -> ClientSettingsChange {
        var change = ClientSettingsChange()
        var errors: [FieldError] = []
        for (key, value) in body.object ?? [:] {
            guard let field = Field(rawValue: key) else {
                errors.append(
                    FieldError(key, "is not a setting; the settings are \(Field.allCases.map(\.rawValue).joined(separator: ", "))."))
                continue
            }
            switch value {
            case .null: change.edits[field] = .useEnvironment
            case .string(let text): change.edits[field] = ClientSettingsChange.edit(for: field, submitted: text)
            default: errors.append(FieldError(key, "must be a string, or null to use the environment's value."))
            }
        }
        guard errors.isEmpty else { throw .validation(errors.sorted { $0.field < $1.field }) }
        return change
    }
}
