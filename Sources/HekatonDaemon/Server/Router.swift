import Foundation
import ControlAPI

/// Maps a method and a path to a handler; `{name}` segments capture a parameter.
public struct Router: Sendable {
    public typealias Handler = @Sendable (APIRequest) async throws -> APIResponse

    public struct Route: Sendable {
        public let method: String
        public let pattern: String
        let segments: [Substring]
        let handler: Handler
    }

    public private(set) var routes: [Route] = []

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, pattern: pattern, segments: pattern.split(separator: "/"), handler: handler))
    }

    /// Runs the matching handler. Unknown paths are 404, known paths with another method 405,
    /// and any error a handler throws becomes a problem response; nothing escapes to the server.
    public func respond(to request: APIRequest) async -> APIResponse {
        let segments = request.path.split(separator: "/")
        var pathMatched = false
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            pathMatched = true
            guard route.method == request.method else { continue }
            var request = request
            request.parameters = parameters
            do {
                return try await route.handler(request)
            } catch let problem as Problem {
                return .problem(problem)
            } catch {
                return .problem(Problem(title: "Internal error", status: 500, detail: "\(error)"))
            }
        }
        if pathMatched {
            let allowed = routes.filter { Self.match($0.segments, segments) != nil }.map(\.method)
            var response = APIResponse.problem(Problem(title: "Method not allowed", status: 405,
                                                       detail: "\(request.path) accepts \(allowed.joined(separator: ", "))"))
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
            return response
        }
        return .problem(Problem(title: "Not found", status: 404,
                                detail: "no route \(request.method) \(request.path); the API is described in docs/openapi.yaml"))
    }

    static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") {
                parameters[String(expected.dropFirst().dropLast())] = String(actual).removingPercentEncoding ?? String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }
}
