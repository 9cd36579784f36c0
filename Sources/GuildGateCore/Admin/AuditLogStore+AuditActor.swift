import JSONSupport
import Store

extension AuditLogStore {
    /// Records what `actor` did to `target` and how it ended (`ok`, or what went wrong).
    public func record(actor: AuditActor, action: String, target: String?, detail: JSON = [:], result: String = "ok")
        throws(StoreError)
    {
        try record(actor: actor.description, action: action, target: target, detail: detail, result: result)
    }
}
