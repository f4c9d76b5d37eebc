import CCrypto

/// HMAC-SHA256 through OpenSSL, for signing what the daemon sends out (webhooks).
public enum HMACSHA256 {
    /// The MAC of `message` under `key`, as 64 lowercase hex digits.
    public static func hex(key: [UInt8], message: [UInt8]) -> String {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                         messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count, &output, &length)
            }
        }
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        for byte in output.prefix(Int(length)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
