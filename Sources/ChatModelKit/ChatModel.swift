/// A chat backend: what the bot and the web application call, and what tests replace with a fake.
/// Every call blocks the calling thread until the backend has answered (they run on job workers).
public protocol ChatModel {
    /// The model's next message after `messages`.
    func complete(_ messages: [ChatMessage]) throws(ChatModelError) -> ChatCompletion
    /// `text` read aloud, as mp3 bytes.
    func speech(_ text: String) throws(ChatModelError) -> [UInt8]
    /// One picture for `prompt`.
    func image(prompt: String) throws(ChatModelError) -> GeneratedImage
}
