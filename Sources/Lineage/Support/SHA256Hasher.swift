import CCrypto
import Foundation

/// Incremental SHA-256 through OpenSSL's EVP interface, which uses the CPU's SHA extensions.
struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("OpenSSL could not initialise SHA-256")
        }
        self.context = context
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    consuming func finalize() -> Digest {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return Digest(bytes: output.prefix(Int(length)))
    }

    deinit { EVP_MD_CTX_free(context) }

    static func digest(of bytes: UnsafeRawBufferPointer) -> Digest {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    static func digest(of bytes: some ContiguousBytes) -> Digest {
        bytes.withUnsafeBytes { digest(of: $0) }
    }
}
