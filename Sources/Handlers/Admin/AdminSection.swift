/// The admin panel's pages, as its sub-navigation (`templates/admin-nav.mustache`, a partial every admin page
/// includes) lists them.
enum AdminSection: String, CaseIterable {
    case dashboard, client, groups, staff, users, jobs, schedules, chat, audit
}

extension RequestContext {
    /// Renders an admin page: `admin_nav_<section>` marks the current page in the sub-navigation.
    func renderAdmin(_ template: String, _ section: AdminSection, _ values: [String: Any], status: HTTPStatus = .ok) throws
        -> Response
    {
        var values = values
        values["admin_nav_\(section.rawValue)"] = true
        return try render(template, values, status: status)
    }
}
