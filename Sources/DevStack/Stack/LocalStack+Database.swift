import ProcessSupport

extension LocalStack {
    /// Starts only the stack's PostgreSQL (DIR/pg, a cluster created on first use with an empty database `guildgate`)
    /// and returns its DATABASE_URL, for a caller that brings the rest: a restore into a fresh cluster. `down` stops it.
    public func startDatabase() throws(StackError) -> String {
        let directory = try directory.created()
        let context = context(in: directory, interrupt: Latch())
        guard !context.service(.postgres).isRunning else {
            throw StackError("PostgreSQL is already running in \(directory.path) (guildgate-dev down --dir \(directory.path))")
        }
        let runtime = try RuntimeDirectories.prepare(
            in: directory, privileges: privileges, environment: environment, poll: context.poll, logger: logger)
        return try PostgresCluster(context: context, environment: environment).start(in: runtime.postgres)
    }

    /// The path of PostgreSQL's program `name` (`pg_dump`, `pg_restore`, …) of the newest installed version, the one a
    /// new stack's cluster runs.
    public static func postgresProgram(_ name: String) throws(StackError) -> String {
        try PostgresInstallation.newest() + "/" + name
    }
}
