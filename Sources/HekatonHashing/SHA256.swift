import CCrypto
import HekatonSupport

/// SHA-256 fed in pieces through OpenSSL's EVP interface, which uses the CPU's SHA
/// extensions, so a file is hashed as it is read or written, never held whole in memory.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("OpenSSL could not initialise SHA-256")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything fed, as 64 lowercase hex digits.
    public consuming func finalize() -> String {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(Int(length) * 2)
        for byte in output.prefix(Int(length)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// The hex digest of bytes held in memory.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }
}

extension OpenFile {
    /// Hashes from the current offset to the end of the file, `buffer` at a time, calling
    /// `consume` with each chunk (to copy it) and `chunkRead` with its size (for progress).
    public func hashToEnd(
        buffer: UnsafeMutableRawBufferPointer,
        consume: (UnsafeRawBufferPointer) throws(Failure) -> Void = { _ in },
        chunkRead: (Int) -> Void = { _ in }
    ) throws(Failure) -> (hex: String, size: Int64) {
        var hasher = SHA256()
        var size: Int64 = 0
        while true {
            let count = try read(filling: buffer)
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[..<count])
            hasher.update(chunk)
            try consume(chunk)
            size += Int64(count)
            if count > 0 { chunkRead(count) }
            if count < buffer.count { break }
        }
        return (hasher.finalize(), size)
    }
}
