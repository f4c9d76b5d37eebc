import CCrypto

/// SHA-256 fed in pieces, through OpenSSL's EVP interface, so a layer is hashed as it is
/// written and a base blob as it is read, never held whole in memory.
final class SHA256Stream {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("OpenSSL could not initialise SHA-256")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything fed so far; the stream is spent afterwards.
    func finish() -> OCIDigest {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        let digits = Array("0123456789abcdef".utf8)
        let hex = output.prefix(Int(length)).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] }
        return OCIDigest(hex: String(decoding: hex, as: UTF8.self))
    }
}
