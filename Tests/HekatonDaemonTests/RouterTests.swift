import Foundation
import ControlAPI
@testable import HekatonDaemon
import Testing

@Suite("Router")
struct RouterTests {
    let caller = Caller(uid: 1000, gid: 1000, pid: 1, user: "ada", isAdmin: false)

    func request(_ method: String, _ path: String) -> APIRequest {
        APIRequest(method: method, path: path, query: [:], headers: [], body: .bytes([]), caller: caller)
    }

    func router() -> Router {
        var router = Router()
        router.add("GET", "/v1/jobs/{id}", .anyone) { .text("job \($0.parameters["id"]!)") }
        router.add("POST", "/v1/jobs/{id}/cancel", .host) { _ in .text("cancelled") }
        router.add("GET", "/v1/fails", .anyone) { _ in throw Problem(title: "Conflict", status: 409, detail: "busy") }
        return router
    }

    func text(_ response: APIResponse) -> String {
        guard case .bytes(let bytes) = response.body else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("Path parameters are captured")
    func parameters() async {
        let response = await router().respond(to: request("GET", "/v1/jobs/42"))
        #expect(response.status == 200)
        #expect(text(response) == "job 42")
    }

    @Test("Unknown paths are 404, other methods 405 with Allow")
    func misses() async {
        #expect(await router().respond(to: request("GET", "/v1/nothing")).status == 404)
        #expect(await router().respond(to: request("GET", "/v1/jobs/1/cancel/extra")).status == 404)
        let wrong = await router().respond(to: request("DELETE", "/v1/jobs/1"))
        #expect(wrong.status == 405)
        #expect(wrong.headers.contains { $0.0 == "Allow" && $0.1 == "GET" })
    }

    @Test("A thrown problem becomes its own status as problem+json")
    func problems() async {
        let response = await router().respond(to: request("GET", "/v1/fails"))
        #expect(response.status == 409)
        #expect(response.contentType == Problem.mediaType)
        #expect(text(response).contains("busy"))
    }

    @Test("A host route refuses participants from its head alone, and answers hosts")
    func hostRoutes() async {
        let router = router()
        let refusal = router.refusal(method: "POST", path: "/v1/jobs/1/cancel", caller: caller)
        #expect(refusal?.status == 403)
        #expect(refusal?.detail?.contains("for hosts") == true)
        #expect(await router.respond(to: request("POST", "/v1/jobs/1/cancel")).status == 403)
        let host = Caller(uid: 0, gid: 0, pid: 1, user: "root", isAdmin: true)
        #expect(router.refusal(method: "POST", path: "/v1/jobs/1/cancel", caller: host) == nil)
        let answered = await router.respond(to: APIRequest(method: "POST", path: "/v1/jobs/1/cancel", query: [:], headers: [],
                                                           body: .bytes([]), caller: host))
        #expect(answered.status == 200)
        #expect(router.refusal(method: "GET", path: "/v1/nothing", caller: caller)?.status == 404)
        #expect(router.refusal(method: "GET", path: "/v1/jobs/7", caller: caller) == nil)
    }

    @Test("An internal error tells the client an incident id, not the error's text")
    func internalErrors() async {
        var router = Router()
        router.add("GET", "/v1/boom", .anyone) { _ in
            throw NSError(domain: "SQLite", code: 1, userInfo: [NSLocalizedDescriptionKey: "SQLite error 1: no such table: secret /var/lib/hekaton/x"])
        }
        let response = await router.respond(to: request("GET", "/v1/boom"))
        #expect(response.status == 500)
        #expect(!text(response).contains("SQLite"))
        #expect(!text(response).contains("/var/lib"))
        #expect(text(response).contains("incident"))
        router.add("GET", "/v1/full", .anyone) { _ in throw POSIXError(.ENOSPC) }
        let full = await router.respond(to: request("GET", "/v1/full"))
        #expect(full.status == 507)
        #expect(text(full).contains("disk"))
    }
}
