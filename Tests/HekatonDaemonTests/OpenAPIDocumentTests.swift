import Foundation
import ControlAPI
import GRDB
@testable import HekatonDaemon
import Logging
import StrictYAML
import Testing

@Suite("The OpenAPI document")
struct OpenAPIDocumentTests {
    static let document = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/openapi.yaml")

    @Test("The document's version is the program's: one version constant, HekatonVersion.current")
    func versionMatches() throws {
        let yaml = try String(contentsOf: Self.document, encoding: .utf8)
        let info = try #require(try YAMLMapping.parse(yaml, file: Self.document.path).mapping("info"))
        let version = try info.string("version")
        #expect(version == HekatonVersion.current, "docs/openapi.yaml says \(version ?? "nothing"); set it to \(HekatonVersion.current)")
    }

    @Test("Every served route is described, and every described route is served")
    func routesDescribed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID())")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let database = try DaemonDatabase.open(stateDirectory: root.path)
        let context = try DaemonContext(database: database, stateDirectory: root.path, socketPath: root.path + "/s",
                                    startedAt: Date(), logger: Logger(label: "test"))
        let routes = DaemonRoutes.router(context).routes
        let served = Set(routes.map { "\($0.method) \($0.pattern)" })
        let servedAccess = Dictionary(uniqueKeysWithValues: routes.map { ("\($0.method) \($0.pattern)", $0.access.rawValue) })

        let yaml = try String(contentsOf: Self.document, encoding: .utf8)
        let paths = try #require(try YAMLMapping.parse(yaml, file: Self.document.path).mapping("paths"))
        var described = Set<String>()
        var describedAccess: [String: String] = [:]
        for path in paths.keys {
            let operations = try #require(try paths.mapping(path))
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                let key = "\(method.uppercased()) \(path)"
                described.insert(key)
                describedAccess[key] = try operations.mapping(method)?.string("x-hekaton-access")
            }
        }
        for (route, access) in servedAccess {
            #expect(describedAccess[route] == access, "\(route): the router says \(access), the document \(describedAccess[route] ?? "nothing")")
        }
        #expect(!served.isEmpty)
        #expect(served.subtracting(described).isEmpty, "served but not described: \(served.subtracting(described).sorted())")
        #expect(described.subtracting(served).isEmpty, "described but not served: \(described.subtracting(served).sorted())")
    }
}
