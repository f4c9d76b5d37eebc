import ControlAPI
import Foundation

/// A complete request as a route handler sees it: body read, caller known.
public struct APIRequest: Sendable {
    public let method: String
    /// The path without the query string.
    public let path: String
    public let query: [String: String]
    public let headers: [(String, String)]
    /// The body in memory; empty when it was spooled to `bodyFile`.
    public let body: [UInt8]
    /// An upload's body, spooled to disk as it arrived; removed once the request is answered.
    public let bodyFile: String?
    public let caller: Caller
    /// Values of `{name}` segments of the matched route.
    public var parameters: [String: String] = [:]

    public enum Body: Sendable {
        case bytes([UInt8])
        case file(String)
    }

    public init(method: String, path: String, query: [String: String], headers: [(String, String)], body: Body, caller: Caller) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        switch body {
        case .bytes(let bytes): (self.body, self.bodyFile) = (bytes, nil)
        case .file(let path): (self.body, self.bodyFile) = ([], path)
        }
        self.caller = caller
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Decodes the JSON body; a malformed one is the client's error (400), named as such.
    public func decode<Body: Decodable>(_ type: Body.Type) throws(Problem) -> Body {
        guard !body.isEmpty else {
            throw Problem(title: "Missing request body", status: 400, detail: "\(method) \(path) expects a JSON body")
        }
        do {
            return try JSONDecoder().decode(Body.self, from: Data(body))
        } catch let DecodingError.dataCorrupted(context) {
            throw Problem(title: "Invalid JSON", status: 400, detail: "the request body is not valid JSON: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, _) {
            throw Problem(title: "Invalid request", status: 400, detail: "the request body lacks the field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw Problem(title: "Invalid request", status: 400, detail: "the field '\(field)' has the wrong type: \(context.debugDescription)")
        } catch {
            throw Problem(title: "Invalid request", status: 400, detail: "\(error)")
        }
    }

    /// An integer path parameter, or a 400 naming it.
    public func intParameter(_ name: String) throws(Problem) -> Int64 {
        guard let text = parameters[name], let value = Int64(text) else {
            throw Problem(title: "Invalid \(name)", status: 400, detail: "'\(parameters[name] ?? "")' is not a number")
        }
        return value
    }

    /// A whole-number query parameter within `range`, `fallback` when absent; anything else is a 400 naming it.
    public func intQuery(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(Problem) -> Int {
        guard let text = query[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw Problem(title: "Invalid \(name)", status: 400,
                          detail: "\(name)=\(text.prefix(40)) is not a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A finite number query parameter within `range`, `fallback` when absent.
    public func doubleQuery(_ name: String, default fallback: Double, in range: ClosedRange<Double>) throws(Problem) -> Double {
        guard let text = query[name] else { return fallback }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw Problem(title: "Invalid \(name)", status: 400,
                          detail: "\(name)=\(text.prefix(40)) is not a number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
