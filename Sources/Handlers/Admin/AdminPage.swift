/// What the admin panel's list pages (staff, users, jobs, schedules) share beyond the sub-navigation
/// (`renderAdmin`): the notice a form's redirect asked for (`?notice=`: a key of the page's own, never text
/// from the URL) and the refusal of a form, both shown by the `admin-messages` partial, and how a form's
/// outcome is answered (`submit`).
enum AdminPage {
    /// Renders an admin page of `section`; `notices` are the page's messages by key, `errors` a refused form's.
    static func render(
        _ template: String, _ section: AdminSection, _ values: [String: Any], notices: [String: String] = [:],
        errors: [FieldError] = [], status: HTTPStatus = .ok, context: RequestContext
    ) throws -> Response {
        var values = values
        if let key = context.request.query["notice"], let notice = notices[key] { values["notice"] = notice }
        if !errors.isEmpty {
            values["has_errors"] = true
            // A refusal's own message has no field: absent, not "" (Mustache shows a section for any string).
            values["errors"] = errors.map { error -> [String: Any] in
                error.field.isEmpty ? ["message": error.message] : ["field": error.field, "message": error.message]
            }
        }
        return try context.renderAdmin(template, section, values, status: status)
    }

    /// Answers a form of an admin page (POST, `csrf_token` field): checks the token, runs `action`, and sends
    /// the browser back to the page with a notice (`action` returns the path and query to go to, 303).
    /// When the action is refused (a 4xx `HTTPResponseError`), nothing changed: `page` shows the refusal
    /// (its message and field errors) on the page the form came from, with its status.
    static func submit(
        _ context: RequestContext, fields: [String: String], page: (_ errors: [FieldError], _ status: HTTPStatus) throws -> Response,
        action: () throws -> String
    ) throws -> Response {
        try context.verifyCSRF(fields["csrf_token"])
        do {
            return .redirect(to: try action(), status: .seeOther)
        } catch let refusal as any HTTPResponseError where (400..<500).contains(refusal.status.code) {
            return try page([FieldError("", refusal.publicMessage)] + refusal.fieldErrors, refusal.status)
        }
    }
}
