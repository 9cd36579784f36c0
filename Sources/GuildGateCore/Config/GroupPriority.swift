/// Who wins when a member's mapped roles on Discord differ from their groups (`GUILDGATE_GROUP_PRIORITY`).
public enum GroupPriority: String, Sendable {
    /// The groups: verify gives and takes roles to match them (a role changed on Discord is reverted).
    case local
    /// Discord (seed 004's remote priority): a mapped role given or taken on Discord changes the groups.
    case remote
}
