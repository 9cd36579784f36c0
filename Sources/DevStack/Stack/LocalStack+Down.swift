import ProcessSupport

extension LocalStack {
    /// Stops everything started in DIR (nothing to do is no failure). With `purge` it also deletes the database
    /// cluster, the sockets, nginx's prefix and the generated secrets; the logs stay.
    public func down(purge: Bool = false) {
        guard directory.exists else { return }
        stopAll(context(in: directory, interrupt: Latch()))
        guard purge else { return }
        let side = FileSystem.read(directory.sidePath)?.trimmingCharacters(in: .whitespacesAndNewlines)
        for path in [
            directory.postgres, directory.sockets, directory.nginx, directory.pids, directory.stackEnv, directory.secretKey,
            directory.apiToken, directory.sandboxPort, directory.sidePath,
        ] {
            FileSystem.remove(path)
        }
        if let side, side.hasPrefix(RuntimeDirectories.sidePrefix) { FileSystem.remove(side) }
    }

    /// Stops the processes front to back: nginx first, so that no request reaches a stopping app, PostgreSQL last.
    func stopAll(_ context: StackContext) {
        context.service(.nginx).stop(.quit)
        context.service(.bot).stop(.terminate)
        context.service(.web).stop(.terminate)
        context.service(.sandbox).stop(.terminate)
        PostgresCluster(context: context, environment: environment).stop()
        FileSystem.remove(context.directory.webSocket)
        FileSystem.remove(context.directory.transferSocket)
        FileSystem.remove(context.directory.eventsSocket)
    }
}
