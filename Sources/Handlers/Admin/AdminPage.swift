import Foundation
import GuildGateCore

/// What every admin page shares: the sub-navigation (`admin-nav` partial) with the current section marked,
/// the notice a form's redirect asked for (`?notice=`: a key of the page's own, never text from the URL),
/// and how a form's outcome is answered (see `submit`).
enum AdminPage {
    static let sections: [(path: String, label: String)] = [
        ("/admin", "Dashboard"), ("/admin/client", "Discord client"), ("/admin/groups", "Groups"), ("/admin/staff", "Staff"),
        ("/admin/users", "Users"), ("/admin/jobs", "Jobs"), ("/admin/schedules", "Schedules"), ("/admin/audit", "Audit log"),
    ]

    /// Renders an admin page of `section` (its path, `/admin/staff`); `notices` are the page's messages by key.
    static func render(
        _ template: String, section: String, _ values: [String: Any], notices: [String: String] = [:], errors: [FieldError] = [],
        status: HTTPStatus = .ok, context: RequestContext
    ) throws -> Response {
        var values = values
        values["admin_nav"] = sections.map { ["href": $0.path, "label": $0.label, "current": $0.path == section] }
        if let key = context.request.query["notice"], let notice = notices[key] { values["notice"] = notice }
        if !errors.isEmpty {
            values["has_errors"] = true
            values["errors"] = errors.map { ["field": $0.field, "message": $0.message] }
        }
        return try context.render(template, values, status: status)
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
