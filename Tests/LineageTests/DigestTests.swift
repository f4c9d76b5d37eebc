import Foundation
import Testing
@testable import Lineage

@Suite("Digest")
struct DigestTests {
    @Test("hashes the FIPS 180-2 test vectors")
    func knownVectors() {
        #expect(Digest.of(Data()).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.of(Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("prints and parses the sha256: form")
    func roundTrip() throws {
        let digest = Digest.of(Data("abc".utf8))
        #expect(digest.description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try Digest(parsing: digest.description) == digest)
        #expect(digest.short == "sha256:ba7816bf8f01")
        let upper = try Digest(parsing: "sha256:" + digest.hex.uppercased())
        #expect(upper == digest, "upper-case hex names the same content")
    }

    @Test("rejects what is not a digest", arguments: [
        "", "sha256:", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "md5:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015adf",
        "sha256:za7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    ])
    func rejectsMalformed(text: String) {
        #expect(throws: LineageError.self) { try Digest(parsing: text) }
        #expect(Digest(text) == nil)
    }

    @Test("encodes as its string in JSON")
    func codable() throws {
        let digest = Digest.of(Data("abc".utf8))
        let json = try JSONEncoder().encode([digest])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(digest)\"]")
        #expect(try JSONDecoder().decode([Digest].self, from: json) == [digest])
    }
}
