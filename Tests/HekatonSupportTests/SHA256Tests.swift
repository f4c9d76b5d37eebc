import HekatonHashing
import HekatonSupport
import Testing

@Suite("Streaming SHA-256")
struct SHA256Tests {
    static let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    static let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    @Test func knownVectors() {
        #expect(Array("abc".utf8).withUnsafeBytes { SHA256.hash($0) } == Self.abc)
        #expect([UInt8]().withUnsafeBytes { SHA256.hash($0) } == Self.empty)
        #expect(SHA256().finalize() == Self.empty)
    }

    /// SHA-256 works on 64-byte blocks: pieces that end before, on and after a block
    /// boundary must all give the one-shot digest.
    @Test(arguments: [1, 7, 63, 64, 65, 127, 128, 1000, 4096])
    func piecesGiveTheOneShotDigest(pieceSize: Int) {
        let bytes = (0..<5_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let oneShot = bytes.withUnsafeBytes { SHA256.hash($0) }
        var hasher = SHA256()
        var start = 0
        while start < bytes.count {
            let end = min(start + pieceSize, bytes.count)
            hasher.update(bytes[start..<end])
            start = end
        }
        #expect(hasher.finalize() == oneShot)
        #expect(oneShot.utf8.count == 64)
        #expect(oneShot.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
    }
}
