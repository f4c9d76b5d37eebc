/// An error response body, as RFC 9457 `application/problem+json`.
public struct Problem: Codable, Sendable, Equatable, Error {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var instance: String?

    public init(type: String = "about:blank", title: String, status: Int, detail: String? = nil, instance: String? = nil) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.instance = instance
    }

    public static let mediaType = "application/problem+json"
}

extension Problem: CustomStringConvertible {
    public var description: String {
        if let detail { return "\(title): \(detail)" }
        return title
    }
}
