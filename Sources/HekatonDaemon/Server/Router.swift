import Foundation
import ControlAPI
import Logging

/// Maps a method and a path to a handler; `{name}` segments capture a parameter.
public struct Router: Sendable {
    public typealias Handler = @Sendable (APIRequest) async throws -> APIResponse

    public struct Route: Sendable {
        public let method: String
        public let pattern: String
        public let access: RouteAccess
        let segments: [Substring]
        let handler: Handler
    }

    public private(set) var routes: [Route] = []
    /// Where the details of internal errors go; the client gets an incident id.
    public var logger: Logger?
    /// Told of every answer: the method, the route's pattern (nil when none matched) and the status.
    public var observe: (@Sendable (_ method: String, _ route: String?, _ status: Int) -> Void)?

    public init() {}

    public mutating func add(_ method: String, _ pattern: String, _ access: RouteAccess, _ handler: @escaping Handler) {
        routes.append(Route(method: method, pattern: pattern, access: access, segments: pattern.split(separator: "/"), handler: handler))
    }

    /// What the server decides from a request's head alone, before reading its body: a
    /// refusal (unknown route, wrong method, a host route for a participant), or nil to go on.
    public func refusal(method: String, path: String, caller: Caller) -> Problem? {
        let segments = path.split(separator: "/")
        let matching = routes.filter { Self.match($0.segments, segments) != nil }
        guard !matching.isEmpty else { return Self.notFound(method: method, path: path) }
        guard let route = matching.first(where: { $0.method == method }) else { return nil }
        if route.access == .host && !caller.isAdmin {
            return Self.forbidden(route, caller)
        }
        return nil
    }

    static func forbidden(_ route: Route, _ caller: Caller) -> Problem {
        Problem(title: "Forbidden", status: 403,
                detail: "\(route.method) \(route.pattern) is for hosts: root, the daemon's user, or members of the admin group (uid \(caller.uid) is none of these)")
    }

    static func notFound(method: String, path: String) -> Problem {
        Problem(title: "Not found", status: 404,
                detail: "no route \(method) \(path.prefix(200)); the API is described in docs/openapi.yaml")
    }

    /// The pattern of the route that serves a method and path, if any.
    public func pattern(method: String, path: String) -> String? {
        let segments = path.split(separator: "/")
        return routes.first { $0.method == method && Self.match($0.segments, segments) != nil }?.pattern
    }

    /// Runs the matching handler. Unknown paths are 404, known paths with another method 405,
    /// and any error a handler throws becomes a problem response; nothing escapes to the server.
    public func respond(to request: APIRequest) async -> APIResponse {
        let response = await dispatch(request)
        observe?(request.method, pattern(method: request.method, path: request.path), response.status)
        return response
    }

    private func dispatch(_ request: APIRequest) async -> APIResponse {
        let segments = request.path.split(separator: "/")
        var pathMatched = false
        for route in routes {
            guard let parameters = Self.match(route.segments, segments) else { continue }
            pathMatched = true
            guard route.method == request.method else { continue }
            if route.access == .host && !request.caller.isAdmin {
                return .problem(Self.forbidden(route, request.caller))
            }
            var request = request
            request.parameters = parameters
            do {
                return try await route.handler(request)
            } catch let problem as Problem {
                return .problem(problem)
            } catch {
                let (problem, incident) = InternalProblem.from(error, doing: "\(route.method) \(route.pattern)")
                logger?.error("request failed", metadata: ["incident": "\(incident)", "route": "\(route.method) \(route.pattern)",
                                                           "uid": "\(request.caller.uid)", "error": "\(error)"])
                return .problem(problem)
            }
        }
        if pathMatched {
            let allowed = routes.filter { Self.match($0.segments, segments) != nil }.map(\.method)
            var response = APIResponse.problem(Problem(title: "Method not allowed", status: 405,
                                                       detail: "\(request.path) accepts \(allowed.joined(separator: ", "))"))
            response.headers.append(("Allow", allowed.joined(separator: ", ")))
            return response
        }
        return .problem(Self.notFound(method: request.method, path: request.path))
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
