import ArgumentParser
import DevStack

struct RenderNginxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-nginx",
        abstract: "Render an nginx template from nginx/ on standard output.",
        discussion: """
            Replaces @TOKEN@ placeholders with the values given; an optional placeholder, @TOKEN?@, becomes empty when \
            no value is given. Fails if a placeholder is left without a value (values may be empty: USER_DIRECTIVE=).
            Example (production):
              guildgate-dev render-nginx nginx/guildgate.conf.in APP_SOCKET=/run/guildgate/web.sock \\
                  TRANSFER_SOCKET=/run/guildgate/transfer.sock EVENTS_SOCKET=/run/guildgate/events.sock \\
                  LISTEN=80 SERVER_NAME=guild.example.org \\
                  ACCESS_LOG=/var/log/nginx/guildgate.access.log > /etc/nginx/sites-available/guildgate
            """
    )

    @Argument(help: "The template, e.g. nginx/guildgate.conf.in.")
    var template: String

    @Argument(help: "TOKEN=VALUE: a placeholder's value.")
    var assignments: [String] = []

    func validate() throws {
        do {
            _ = try NginxTemplate.values(fromAssignments: assignments)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        do {
            let values = try NginxTemplate.values(fromAssignments: assignments)
            StandardStream.output.write(try NginxTemplate(contentsOf: template).render(values))
        } catch {
            throw StackError(error.description)
        }
    }
}
