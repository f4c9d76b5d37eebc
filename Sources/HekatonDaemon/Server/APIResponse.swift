import ControlAPI
import Foundation

/// What a route handler answers: a whole body, or a body streamed as it is produced.
public struct APIResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Sent with chunked transfer coding as the stream yields.
        case stream(AsyncStream<[UInt8]>)
    }

    public var status: Int
    public var contentType: String
    public var body: Body
    public var headers: [(String, String)] = []

    public init(status: Int = 200, contentType: String = "application/json", body: Body) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public static func json<Value: Encodable>(_ value: Value, status: Int = 200) -> APIResponse {
        do {
            return APIResponse(status: status, body: .bytes(Array(try encoder.encode(value))))
        } catch {
            return problem(Problem(title: "Internal error", status: 500, detail: "cannot encode the response: \(error)"))
        }
    }

    public static func problem(_ problem: Problem) -> APIResponse {
        let bytes = (try? encoder.encode(problem)).map(Array.init) ?? Array("{}".utf8)
        return APIResponse(status: problem.status, contentType: Problem.mediaType, body: .bytes(bytes))
    }

    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> APIResponse {
        APIResponse(status: status, contentType: contentType, body: .bytes(Array(text.utf8)))
    }
}
