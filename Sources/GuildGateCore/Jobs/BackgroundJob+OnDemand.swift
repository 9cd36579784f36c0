extension BackgroundJob {
    /// The whole run of a job kind, as its schedule fires it, asked for by `requestedBy` (`admin:<name>`,
    /// `api`): every member, every file, the guild `guildID` for a presence reconcile, all expired history.
    /// Nil for kinds that answer one person's request (chat) and have no whole run.
    public init?(fullRunOf kind: Kind, requestedBy: String, guildID: String?) {
        switch kind {
        case .presenceReconcile: self = .presenceReconcile(guildID: guildID, requestedBy: requestedBy)
        case .filesCleanup: self = .filesCleanup(fileID: nil)
        case .groupsVerify: self = .groupsVerify(discordID: nil, requestedBy: requestedBy)
        case .groupsRemoteSync: self = .groupsRemoteSync(requestedBy: requestedBy)
        case .nicknamesUpdate: self = .nicknamesUpdate(requestedBy: requestedBy)
        case .presenceHistoryPrune: self = .presenceHistoryPrune
        case .chatReply, .chatImage: return nil
        }
    }
}
