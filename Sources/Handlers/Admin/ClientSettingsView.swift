import Foundation
import GuildGateCore
import JSONSupport
import Store

/// The Discord client's settings as the panel and the API show them: each field's value in effect and where
/// it comes from. Of a secret only whether it is set and where from: its value never leaves the process.
struct ClientSettingsView {
    typealias Field = DiscordClientSettings.Field

    struct Entry {
        let field: Field
        /// The value in effect; nil for a secret, whatever it is.
        let value: String?
        let isSet: Bool
        let source: DiscordClientSettings.Source
        let environmentHasValue: Bool

        /// "set, saved", "set, from the environment (DISCORD_BOT_TOKEN)", "not set".
        var status: String {
            switch source {
            case .saved: return "set, saved"
            case .environment: return "set, from the environment (\(field.environmentName))"
            case .unset: return "not set, here or in the environment (\(field.environmentName))"
            }
        }
    }

    let entries: [Entry]
    let updatedBy: String?
    let updatedAt: Date?

    /// Reloads the saved settings first, so the view is the database's even when another process saved them.
    init(_ context: RequestContext) throws {
        let settings = context.services.environment.settings
        try settings.reload(from: context.db)
        let stored = try ClientSettingsStore(context.db).load()
        let config = settings.current
        entries = Field.allCases.map { field in
            Entry(
                field: field, value: field.isSecret ? nil : config[field], isSet: config[field] != nil, source: settings.source(of: field),
                environmentHasValue: settings.base[field] != nil)
        }
        updatedBy = stored?.updatedBy
        updatedAt = stored?.updatedAt
    }

    var json: JSON {
        [
            "fields": .array(
                entries.map { entry in
                    var members: [(String, JSON)] = [
                        ("field", .string(entry.field.rawValue)), ("label", .string(entry.field.label)),
                        ("secret", .bool(entry.field.isSecret)),
                    ]
                    if !entry.field.isSecret { members.append(("value", entry.value.json)) }
                    members += [
                        ("set", .bool(entry.isSet)), ("source", .string(entry.source.rawValue)),
                        ("environment_variable", .string(entry.field.environmentName)),
                        ("environment_has_value", .bool(entry.environmentHasValue)),
                    ]
                    return .object(members)
                }),
            "updated_by": updatedBy.json, "updated_at": updatedAt.map(ISO8601Timestamp.format).json,
        ]
    }

    /// The form's fields; `submitted` (a refused form's values, secrets never among them) replaces the
    /// values in effect, and each field shows its error.
    func formFields(submitted: [String: String]? = nil, errors: [FieldError] = []) -> [[String: Any]] {
        entries.map { entry in
            let name = entry.field.rawValue
            var values: [String: Any] = [
                "field": name, "label": entry.field.label, "secret": entry.field.isSecret, "status": entry.status,
                "saved": entry.source == .saved, "environment_variable": entry.field.environmentName,
                "environment_has_value": entry.environmentHasValue,
                "use_environment_name": ClientSettingsInput.useEnvironmentName(entry.field),
            ]
            if !entry.field.isSecret { values["value"] = submitted?[name] ?? entry.value ?? "" }
            // Not `error`: a field without one would show the page's (Mustache looks up the enclosing context).
            values["field_error"] = errors.first { $0.field == name }?.message
            return values
        }
    }
}
