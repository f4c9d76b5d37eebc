import ControlAPI
@testable import HekatonDaemon
import Testing

@Suite("Router")
struct RouterTests {
    let caller = Caller(uid: 1000, gid: 1000, pid: 1, user: "ada", isAdmin: false)

    func request(_ method: String, _ path: String) -> APIRequest {
        APIRequest(method: method, path: path, query: [:], headers: [], body: [], caller: caller)
    }

    func router() -> Router {
        var router = Router()
        router.add("GET", "/v1/jobs/{id}") { .text("job \($0.parameters["id"]!)") }
        router.add("POST", "/v1/jobs/{id}/cancel") { _ in .text("cancelled") }
        router.add("GET", "/v1/fails") { _ in throw Problem(title: "Conflict", status: 409, detail: "busy") }
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
}
