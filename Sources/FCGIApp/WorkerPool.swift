/// A listening socket and the worker threads that serve it. guildgate-web runs one for pages and the
/// JSON API and, with `--transfer-listen`, one for file uploads and downloads: long transfers then
/// never take the threads that pages need.
struct WorkerPool {
    let name: String
    let listener: FastCGIListener
    let threads: Int
}
