import WireFormats

/// The parts of a Discord request every route checks the same way, refused with Discord's errors (docs:
/// `reference` "Snowflakes", "Error Messages"; `resources/audit-log` "Audit Log Entry Object").
extension RequestContext {
    /// 404 10004 Unknown Guild unless the path names the sandbox guild.
    func requireSandboxGuild() throws(HTTPError) {
        guard parameters["guild.id"] == configuration.guildID else { throw HTTPError.unknownGuild }
    }

    /// A path parameter that must be a snowflake; another value is 50035 naming `field` (`user_id`).
    func snowflake(_ parameter: String, field: String) throws(HTTPError) -> String {
        let value = parameters[parameter] ?? ""
        guard Snowflake.value(value) != nil else { throw HTTPError.notSnowflake(value, field: field) }
        return value
    }

    /// The query's `name` as a snowflake; `nil` when absent, 50035 when it is not one.
    func querySnowflake(_ name: String) throws(HTTPError) -> UInt64? {
        guard let text = request.query[name] else { return nil }
        guard let number = Snowflake.value(text) else { throw HTTPError.notSnowflake(text, field: name) }
        return number
    }

    /// The query's `limit` within `range`, `defaultValue` when absent; 50035 as Discord words it otherwise.
    func queryLimit(_ range: ClosedRange<Int>, default defaultValue: Int) throws(HTTPError) -> Int {
        guard let text = request.query["limit"] else { return defaultValue }
        guard let value = Int(text) else {
            throw HTTPError.invalidFormBody(field: "limit", code: "NUMBER_TYPE_COERCE", message: "Value \"\(text)\" is not int.")
        }
        guard value >= range.lowerBound else {
            throw HTTPError.invalidFormBody(
                field: "limit", code: "NUMBER_TYPE_MIN", message: "int value should be greater than or equal to \(range.lowerBound).")
        }
        guard value <= range.upperBound else {
            throw HTTPError.invalidFormBody(
                field: "limit", code: "NUMBER_TYPE_MAX", message: "int value should be less than or equal to \(range.upperBound).")
        }
        return value
    }

    /// `X-Audit-Log-Reason` decoded: "1-512 URL-encoded UTF-8 characters". An empty or longer header is 50035
    /// and one that does not percent-decode is 400 (Discord does not document either answer).
    func auditLogReason() throws(HTTPError) -> String? {
        guard let header = request.headers.first(name: "X-Audit-Log-Reason") else { return nil }
        guard (1...512).contains(header.utf8.count) else {
            throw HTTPError.invalidFormBody(field: "reason", code: "BASE_TYPE_BAD_LENGTH", message: "Must be between 1 and 512 in length.")
        }
        guard let reason = PercentDecoding.decode(header, plusAsSpace: false) else { throw HTTPError.badRequest }
        return reason
    }
}

extension HTTPError {
    /// 50035 for an id that is not a snowflake, as Discord words it.
    static func notSnowflake(_ value: String, field: String) -> HTTPError {
        .invalidFormBody(field: field, code: "NUMBER_TYPE_COERCE", message: "Value \"\(value)\" is not snowflake.")
    }
}
