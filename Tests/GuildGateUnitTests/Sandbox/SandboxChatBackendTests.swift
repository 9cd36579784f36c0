import Foundation
import JSONSupport
import Testing

/// The OpenAI-compatible backend under `/openai/v1` (OpenAI's API reference: "Create chat completion",
/// "Create speech", "Create image", "Error codes"): shapes, errors, directives, the call record and faults.
@Suite struct SandboxChatBackendTests {
    let sandbox = InProcessSandbox()

    @Test func aChatCompletionEchoesTheLastUserMessageInOpenAIsShape() async throws {
        let answer = await sandbox.openAI(
            "/chat/completions",
            json: #"{"model":"sandbox-model","messages":[{"role":"system","content":"Be brief."},"#
                + #"{"role":"user","content":"Hi"},{"role":"assistant","content":"Echo 1: Hi"},"#
                + #"{"role":"user","content":[{"type":"text","text":"How are you?"}]}]}"#)
        #expect(answer.status == 200, "\(answer.text)")
        let json = try #require(answer.json)
        #expect(json["id"]?.string?.hasPrefix("chatcmpl-") == true && json["object"] == "chat.completion")
        #expect(json["model"] == "sandbox-model" && json["created"]?.wholeNumber != nil)
        let choice = try #require(json["choices"]?.array?.first)
        #expect(choice["index"] == 0 && choice["finish_reason"] == "stop" && choice["logprobs"] == .null)
        #expect(choice["message"] == ["role": "assistant", "content": "Echo 2: How are you?", "refusal": .null])
        let usage = try #require(json["usage"], "about 4 characters a token: 33 in the prompt, 20 in the answer")
        #expect(usage["completion_tokens"] == 5 && usage["prompt_tokens"] == 9 && usage["total_tokens"] == 14)
    }

    @Test func directivesAskForALengthInSentencesAndParagraphsAndForADelay() async throws {
        for length in [1, 7, 45, 2000, 4321] {
            let answer = await sandbox.openAI(
                "/chat/completions", json: #"{"model":"m","messages":[{"role":"user","content":"[[length:\#(length)]] go"}]}"#)
            let content = try #require(answer.json?["choices"]?.array?.first?["message"]?["content"]?.string)
            #expect(content.count == length && content.hasSuffix("."), "\(length): \(content)")
            if length > 1000 {
                #expect(content.contains(". ") && content.contains(".\n\nSentence "), "sentences in paragraphs")
            }
        }
        let started = ContinuousClock.now
        let delayed = await sandbox.openAI(
            "/chat/completions", json: #"{"model":"m","messages":[{"role":"user","content":"wait [[delay:300]] please"}]}"#)
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        #expect(delayed.json?["choices"]?.array?.first?["message"]?["content"] == "Echo 1: wait please", "directives are not echoed")
    }

    @Test func aWrongKeyAndBadBodiesAreRefusedWithOpenAIsErrorNamingTheParam() async {
        let unauthorized = await sandbox.openAI("/chat/completions", json: "{}", key: "wrong-key-123456")
        #expect(unauthorized.status == 401)
        #expect(unauthorized.json?["error"]?["code"] == "invalid_api_key" && unauthorized.json?["error"]?["param"] == .null)
        #expect(unauthorized.json?["error"]?["type"] == "invalid_request_error")
        #expect(unauthorized.json?["error"]?["message"]?.string?.hasPrefix("Incorrect API key provided: wro****3456.") == true)
        #expect(await sandbox.openAI("/chat/completions", json: "{}", key: nil).status == 401)

        let refusals: [(String, String, String)] = [
            (#"{"messages":[{"role":"user","content":"x"}]}"#, "model", "missing_required_parameter"),
            (#"{"model":"","messages":[{"role":"user","content":"x"}]}"#, "model", "empty_string"),
            (#"{"model":5,"messages":[{"role":"user","content":"x"}]}"#, "model", "invalid_type"),
            (#"{"model":"m","messages":[]}"#, "messages", "empty_array"),
            (#"{"model":"m","messages":[{"role":"robot","content":"x"}]}"#, "messages[0].role", "invalid_value"),
            (#"{"model":"m","messages":[{"role":"user"}]}"#, "messages[0].content", "missing_required_parameter"),
            (
                #"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}"#, "messages[0].content[0].type",
                "invalid_value"
            ),
            (#"{"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]}"#, "stream", "unsupported_value"),
        ]
        for (body, param, code) in refusals {
            let refused = await sandbox.openAI("/chat/completions", json: body)
            #expect(refused.status == 400 && refused.json?["error"]?["param"] == .string(param), "\(body): \(refused.text)")
            #expect(refused.json?["error"]?["code"] == .string(code), "\(body): \(refused.text)")
        }
        let unparsable = await sandbox.openAI("/chat/completions", json: "{not json")
        #expect(unparsable.status == 400 && unparsable.json?["error"]?["code"] == .null)
        #expect(await sandbox.openAI("/nowhere", json: "{}").json?["error"]?["message"] == "Invalid URL (POST /openai/v1/nowhere)")
    }

    @Test func speechIsADeterministicMP3AndItsInputIsLimited() async {
        let body = #"{"model":"tts-1","input":"Hello there","voice":"alloy"}"#
        let speech = await sandbox.openAI("/audio/speech", json: body)
        #expect(speech.status == 200 && speech.headers.first(name: "Content-Type") == "audio/mpeg")
        #expect(Array(speech.body.prefix(3)) == Array("ID3".utf8))
        #expect(await sandbox.openAI("/audio/speech", json: body).body == speech.body, "deterministic")
        let long = String(repeating: "a", count: 4097)
        let tooLong = await sandbox.openAI("/audio/speech", json: #"{"model":"tts-1","input":"\#(long)","voice":"alloy"}"#)
        #expect(tooLong.status == 400 && tooLong.json?["error"]?["code"] == "string_above_max_length")
        let noVoice = await sandbox.openAI("/audio/speech", json: #"{"model":"tts-1","input":"x"}"#)
        #expect(noVoice.json?["error"]?["param"] == "voice")
        let wav = await sandbox.openAI("/audio/speech", json: #"{"model":"tts-1","input":"x","voice":"alloy","response_format":"wav"}"#)
        #expect(wav.status == 400 && wav.json?["error"]?["param"] == "response_format")
    }

    @Test func imagesComeInlineOrAtAURLOnTheSandbox() async throws {
        let inline = await sandbox.openAI("/images/generations", json: #"{"prompt":"a red guild gate"}"#)
        #expect(inline.status == 200, "\(inline.text)")
        let encoded = try #require(inline.json?["data"]?.array?.first?["b64_json"]?.string)
        let png = try #require(Data(base64Encoded: encoded))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] && inline.json?["created"]?.wholeNumber != nil)

        let linked = await sandbox.openAI("/images/generations", json: #"{"prompt":"a red guild gate","response_format":"url","n":1}"#)
        let url = try #require(linked.json?["data"]?.array?.first?["url"]?.string)
        #expect(url.hasPrefix(InProcessSandbox.publicURL + "/openai/files/") && url.hasSuffix(".png"))
        let file = await sandbox.send(.GET, String(url.dropFirst(InProcessSandbox.publicURL.count)))
        #expect(file.status == 200 && Data(file.body) == png && file.headers.first(name: "Content-Type") == "image/png")

        let two = await sandbox.openAI("/images/generations", json: #"{"prompt":"x","n":2}"#)
        #expect(two.status == 400 && two.json?["error"]?["code"] == "integer_above_max_value")
        let long = await sandbox.openAI("/images/generations", json: #"{"prompt":"\#(String(repeating: "p", count: 4001))"}"#)
        #expect(long.json?["error"]?["param"] == "prompt")
    }

    @Test func everyCallIsRecordedUntilClearedOrReset() async throws {
        _ = await sandbox.openAI("/chat/completions", json: #"{"model":"m","messages":[{"role":"user","content":"one"}]}"#)
        _ = await sandbox.openAI("/audio/speech", json: #"{"input":"two"}"#, key: nil)
        let recorded = try #require(await sandbox.control(.GET, "/chat/requests").json?.array)
        #expect(recorded.map { $0["path"] } == ["/openai/v1/chat/completions", "/openai/v1/audio/speech"])
        #expect(recorded[0]["body"]?["messages"]?.array?.first?["content"] == "one" && recorded[1]["body"]?["input"] == "two")
        #expect(recorded[0]["at"]?.string?.contains("T") == true)
        #expect(await sandbox.control(.DELETE, "/chat/requests").status == 200)
        #expect(await sandbox.control(.GET, "/chat/requests").text == "[]")
        _ = await sandbox.openAI("/chat/completions", json: "{}")
        _ = await sandbox.control(.POST, "/reset")
        #expect(await sandbox.control(.GET, "/chat/requests").text == "[]")
    }

    @Test func faultsApplyToTheBackendLikeToDiscord() async {
        let chat = #"{"model":"m","messages":[{"role":"user","content":"x"}]}"#
        _ = await sandbox.control(
            .POST, "/faults", json: #"{"method":"POST","path":"/openai/v1/chat/completions","kind":"status","status":503}"#)
        #expect(await sandbox.openAI("/chat/completions", json: chat).status == 503)
        #expect(await sandbox.openAI("/chat/completions", json: chat).status == 200, "the fault is used up")
        _ = await sandbox.control(.POST, "/faults", json: #"{"path":"/openai/v1/chat/completions","kind":"reset"}"#)
        #expect(await sandbox.openAI("/chat/completions", json: chat).status == 0)
        _ = await sandbox.control(.POST, "/faults", json: #"{"path":"/openai/v1/audio/speech","kind":"delay","delay_ms":200}"#)
        let started = ContinuousClock.now
        #expect(await sandbox.openAI("/audio/speech", json: #"{"model":"m","input":"x","voice":"alloy"}"#).status == 200)
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        let logged = await sandbox.control(.GET, "/requests").json?["requests"]?.array ?? []
        #expect(logged.filter { $0["path"] == "/openai/v1/chat/completions" }.map { $0["status"] } == [503, 200, .null])
    }
}
