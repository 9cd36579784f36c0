import ArgumentParser

@main
struct GuildGateWeb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guildgate-web",
        abstract: "GuildGate's web application: a FastCGI responder behind nginx.",
        subcommands: [
            Serve.self, Migrate.self, CreateAdmin.self, Staff.self, Users.self, RotateKeys.self, DoctorCommand.self, RoutesCommand.self,
        ])
}
