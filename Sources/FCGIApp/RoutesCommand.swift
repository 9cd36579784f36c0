import ArgumentParser
import Handlers

/// `guildgate-web routes`: every route with who may call it and how a state change is protected against
/// CSRF, from the same table the application enforces.
struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "List every route with its access (anyone, member, admin, roster, discordToken, apiToken) and CSRF check.")

    func run() {
        for route in Application.routes.routes {
            let method = route.method.padding(toLength: 7, withPad: " ", startingAt: 0)
            let pattern = route.pattern.padding(toLength: 32, withPad: " ", startingAt: 0)
            print(
                "\(method)\(pattern)\(route.access.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0))\(route.csrf.map { "csrf: \($0.rawValue)" } ?? "")"
            )
        }
    }
}
