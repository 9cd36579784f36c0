import Testing

@testable import DevStack

/// The one renderer of nginx/*.conf.in: placeholders, optional ones, and the mistakes it refuses.
@Suite struct NginxTemplateRenderingTests {
    static func template(_ text: String) -> NginxTemplate { NginxTemplate(path: "t.conf.in", text: text) }

    @Test func placeholdersTakeTheirValuesLiterally() throws {
        let rendered = try Self.template("listen @LISTEN@;\nroot @ROOT_2@/@LISTEN@;\n\n\n").render([
            "LISTEN": "80", "ROOT_2": "/srv/@X@ & \\1",
        ])
        #expect(rendered == "listen 80;\nroot /srv/@X@ & \\1/80;\n")
    }

    @Test func anOptionalPlaceholderWithoutAValueIsEmpty() throws {
        let template = Self.template("img-src 'self' @EXTRA?@;")
        #expect(try template.render([:]) == "img-src 'self' ;\n")
        #expect(try template.render(["EXTRA": "http://127.0.0.1:1"]) == "img-src 'self' http://127.0.0.1:1;\n")
    }

    @Test func anEmptyValueIsAValue() throws {
        #expect(try Self.template("@USER_DIRECTIVE@\nworker_processes 1;").render(["USER_DIRECTIVE": ""]) == "\nworker_processes 1;\n")
    }

    @Test func whatIsNotAPlaceholderStays() throws {
        let text = "error_page 429 @guildgate_too_many_json; user@example.org @ @A"
        #expect(try Self.template(text).render([:]) == text + "\n")
    }

    @Test func everyMissingValueIsNamed() {
        #expect(throws: NginxTemplateError.missingValues(path: "t.conf.in", tokens: ["A", "B"])) {
            try Self.template("@B@ @A@ @B@ @C?@").render([:])
        }
    }

    @Test func badNamesAndLineBreaksAreRefused() {
        #expect(throws: NginxTemplateError.badTokenName("lower")) { try Self.template("").render(["lower": "x"]) }
        #expect(throws: NginxTemplateError.badTokenName("1A")) { try Self.template("").render(["1A": "x"]) }
        #expect(throws: NginxTemplateError.lineBreakInValue(token: "A")) { try Self.template("@A@").render(["A": "x\ny"]) }
    }

    @Test func assignmentsAreTokenEqualsValue() throws {
        #expect(try NginxTemplate.values(fromAssignments: ["A=1", "B=", "C=x=y", "A=2"]) == ["A": "2", "B": "", "C": "x=y"])
        #expect(throws: NginxTemplateError.malformedAssignment("A")) { try NginxTemplate.values(fromAssignments: ["A"]) }
    }
}
