import Images
import Testing

@Suite("Dockerfile checks")
struct DockerfileTests {
    static let allowed = ["hk-python", "hk-cuda"]

    /// The error `text` is refused with.
    static func refusal(_ text: String) -> String? {
        do {
            _ = try Dockerfile.check(text, allowed: allowed)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("FROM with a platform, an alias, continuations and comments; a later stage from an earlier one")
    func accepted() throws {
        let text = """
            # the build stage
            FROM --platform=linux/amd64 hk-cuda AS build
            RUN echo one \\
              # a comment inside the continuation
              two

            FROM build
            COPY --from=build /x /x
            FROM localhost/hk-python:latest AS final
            RUN --mount=type=cache,target=/c true
            """
        let checked = try Dockerfile.check(text, allowed: Self.allowed)
        #expect(checked.base == "hk-python")
        #expect(checked.bases == ["hk-cuda", "hk-python"])
        #expect(checked.instructions.map(\.line) == [2, 3, 7, 8, 9, 10])
        #expect(checked.instructions[1].text == "RUN echo one two")
        #expect(checked.line(ofStep: "RUN echo one   two")?.line == 3)
        #expect(try Dockerfile.check("FROM build AS x\nFROM x\n", allowed: ["build"]).base == "build")
    }

    @Test("Refused before any build, naming the line and what is allowed", arguments: [
        ("FROM debian:bookworm\n", "Dockerfile line 1: FROM 'debian:bookworm' is not allowed; this competition's images are: hk-python, hk-cuda"),
        ("FROM hk-python\nRUN true\nFROM ubuntu AS x\n", "Dockerfile line 3: FROM 'ubuntu' is not allowed"),
        ("ARG IMG=hk-python\nFROM $IMG\n", "Dockerfile line 2: FROM uses a variable"),
        ("FROM ${BASE}\n", "Dockerfile line 1: FROM uses a variable"),
        ("FROM hk-python@sha256:0000\n", "Dockerfile line 1: FROM 'hk-python@sha256:0000' is not allowed"),
        ("FROM scratch\n", "Dockerfile line 1: FROM 'scratch' is not allowed"),
        ("FROM hk-python\nCOPY --from=alpine /bin/sh /sh\n", "Dockerfile line 2: COPY --from 'alpine' is not allowed"),
        ("FROM hk-python\nRUN --mount=type=bind,from=busybox,target=/b true\n", "Dockerfile line 2: RUN --mount from 'busybox' is not allowed"),
        ("RUN true\nFROM hk-python\n", "Dockerfile line 1: RUN comes before the first FROM"),
        ("# escape=`\nFROM hk-python\n", "Dockerfile line 1: parser directives"),
        ("FROM hk-python \\\n  AS a b\n", "Dockerfile line 1: FROM takes an image"),
        ("# only a comment\n", "the Dockerfile has no FROM"),
        ("FROM hk-python\nRUN echo \\\n\nFROM evil\n", nil),
    ] as [(String, String?)])
    func refused(text: String, message: String?) {
        let refusal = Self.refusal(text)
        if let message {
            #expect(refusal?.hasPrefix(message) == true || refusal?.contains(message) == true, "\(refusal ?? "accepted")")
        } else {
            // Docker joins across the blank line, so the FROM is part of the RUN: accepting it is right.
            #expect(refusal == nil, "\(refusal ?? "")")
        }
    }

    @Test("A Dockerfile over the size bound is refused unread")
    func bounded() {
        let text = "FROM hk-python\n" + String(repeating: "# padding\n", count: Dockerfile.maxBytes / 10 + 1)
        #expect(Self.refusal(text)?.contains("at most \(Dockerfile.maxBytes)") == true)
    }

    @Test("buildah's failed step is found in the log")
    func failedStep() throws {
        let log = "STEP 2/3: RUN false\nsubprocess exited with status 1\nError: building at STEP \"RUN false\": exit status 1\n"
        let (step, error) = try #require(ImageBuild.failedStep(inLog: log))
        #expect(step == "RUN false")
        #expect(error == "exit status 1")
        #expect(ImageBuild.failedStep(inLog: "all good\n") == nil)
    }
}
