import Foundation
import Testing
import HekatonSupport
@testable import OCILayout

@Suite("The new image config")
struct ImageConfigurationTests {
    static let diffID = OCIDigest(hex: String(repeating: "ab", count: 32))

    static func request(entrypoint: [String]? = nil, cmd: [String]? = nil, environment: [String] = [],
                        labels: [String: String] = [:]) -> OCIImageRequest {
        OCIImageRequest(baseLayout: "", content: "", prefix: "", output: "", reference: "latest", entrypoint: entrypoint, cmd: cmd,
                        environment: environment, labels: labels, created: Fixture.created)
    }

    static func decode(_ json: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
    }

    static let base = """
        {"architecture":"amd64","os":"linux","created":"2020-01-01T00:00:00Z","x-vendor":{"ratio":0.5,"big":9007199254740993},
         "config":{"Env":["PATH=/bin","LANG=C"],"Entrypoint":["/base"],"Cmd":["--serve"],"Labels":{"a":"base","b":"base"}},
         "rootfs":{"type":"layers","diff_ids":["sha256:01"]},"history":[{"created_by":"base"}]}
        """

    @Test func appendsTheLayerAndItsHistoryAndKeepsUnknownFields() throws {
        let config = ImageConfiguration.derive(from: try Self.decode(Self.base), request: Self.request(), diffID: Self.diffID,
                                               created: "2026-11-29T00:00:00Z")
        #expect(config["rootfs"]?["diff_ids"] == .array([.string("sha256:01"), .string(Self.diffID.description)]))
        #expect(config["history"] == .array([
            .object(["created_by": .string("base")]),
            .object(["created": .string("2026-11-29T00:00:00Z"), "created_by": .string("hekaton artifact")]),
        ]))
        #expect(config["created"] == .string("2026-11-29T00:00:00Z"))
        #expect(config["x-vendor"] == .object(["ratio": .number(0.5), "big": .integer(9_007_199_254_740_993)]))
        #expect(config["config"]?["Entrypoint"] == .strings(["/base"]), "nothing asked, nothing changed")
        #expect(config["config"]?["Cmd"] == .strings(["--serve"]))
    }

    @Test func aNewEntrypointDropsTheBaseArgumentsUnlessNewOnesAreGiven() throws {
        let base = try Self.decode(Self.base)
        let alone = ImageConfiguration.derive(from: base, request: Self.request(entrypoint: ["/run"]), diffID: Self.diffID, created: "")
        #expect(alone["config"]?["Entrypoint"] == .strings(["/run"]))
        #expect(alone["config"]?["Cmd"] == nil)
        let both = ImageConfiguration.derive(from: base, request: Self.request(entrypoint: ["/run"], cmd: ["--fast"]), diffID: Self.diffID, created: "")
        #expect(both["config"]?["Cmd"] == .strings(["--fast"]))
        let cmdOnly = ImageConfiguration.derive(from: base, request: Self.request(cmd: ["--fast"]), diffID: Self.diffID, created: "")
        #expect(cmdOnly["config"]?["Entrypoint"] == .strings(["/base"]))
    }

    @Test func environmentAndLabelsMergeOverTheBase() throws {
        let config = ImageConfiguration.derive(from: try Self.decode(Self.base),
                                               request: Self.request(environment: ["LANG=C.UTF-8", "MODEL=/artifact/model"], labels: ["b": "new", "c": "new"]),
                                               diffID: Self.diffID, created: "")
        #expect(config["config"]?["Env"] == .strings(["PATH=/bin", "LANG=C.UTF-8", "MODEL=/artifact/model"]))
        #expect(config["config"]?["Labels"] == .object(["a": .string("base"), "b": .string("new"), "c": .string("new")]))
    }

    @Test func exposedPortsAreAddedToTheBaseOnesInTheSpecsForm() throws {
        var request = Self.request()
        request.exposedPorts = ["8080", "9090/TCP", "53/udp"]
        let base = try Self.decode(#"{"rootfs":{"type":"layers","diff_ids":[]},"config":{"ExposedPorts":{"22/tcp":{}}}}"#)
        let config = ImageConfiguration.derive(from: base, request: request, diffID: Self.diffID, created: "")
        #expect(config["config"]?["ExposedPorts"] == .object([
            "22/tcp": .object([:]), "8080/tcp": .object([:]), "9090/tcp": .object([:]), "53/udp": .object([:]),
        ]))
        let untouched = ImageConfiguration.derive(from: try Self.decode(Self.base), request: Self.request(), diffID: Self.diffID, created: "")
        #expect(untouched["config"]?["ExposedPorts"] == nil, "no port asked, none added")
    }

    @Test(arguments: [("1", true), ("65535", true), ("8080/tcp", true), ("53/udp", true), ("0", false), ("65536", false),
                      ("99999999999999999999", false), ("8080/icmp", false), ("", false), ("80/", false), ("+80", false)])
    func portsAreRangeChecked(port: String, valid: Bool) {
        #expect(ImageConfiguration.isValidPort(port) == valid)
    }

    @Test func aBaseWithoutRuntimeConfigGetsOne() throws {
        let config = ImageConfiguration.derive(from: try Self.decode(#"{"rootfs":{"type":"layers","diff_ids":[]},"config":null}"#),
                                               request: Self.request(environment: ["A=1"], labels: ["k": "v"]), diffID: Self.diffID, created: "")
        #expect(config["config"] == .object(["Env": .strings(["A=1"]), "Labels": .object(["k": .string("v")])]))
        #expect(config["history"]?.arrayCount == 1)
    }

    @Test func encodingIsTheSameWhateverTheOrderOfKeys() throws {
        let one = try DeterministicJSON.encode(try Self.decode(#"{"b":1,"a":{"y":"/x","x":[true,null]}}"#), what: "test")
        let two = try DeterministicJSON.encode(try Self.decode(#"{"a":{"x":[true,null],"y":"/x"},"b":1}"#), what: "test")
        #expect(one == two)
        #expect(String(decoding: one, as: UTF8.self) == #"{"a":{"x":[true,null],"y":"/x"},"b":1}"#)
    }

    /// Layouts written before the canonical rule were `JSONEncoder` bytes (sorted keys,
    /// slashes unescaped); a base config with odd keys, numbers and text keeps those bytes,
    /// so the digests of images built earlier are rebuilt the same.
    @Test func canonicalBytesAreThoseTheEncoderWrote() throws {
        let config = try Self.decode(#"""
            {"created":"2026-11-30T00:00:00Z","architecture":"amd64","os":"linux",
             "config":{"Env":["PATH=/usr/bin:/bin","Q=\"x\" \\ \t\u0001é😀"],"Labels":{"a10":"1","a9":"2","B":"3","é":"4","！":"5","😀":"6"},
                       "ExposedPorts":{"8080/tcp":{}},"Healthcheck":{"Interval":3e10,"Ratio":0.25,"Tiny":1e-7,"Big":1.5e300,"Whole":2.0,"Minus":-0.0}},
             "rootfs":{"type":"layers","diff_ids":[]},"history":[{"empty_layer":true,"created_by":"/bin/sh -c #(nop)"}]}
            """#)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try DeterministicJSON.encode(config, what: "test") == Array(try encoder.encode(config)))
    }
}

extension JSONValue {
    var arrayCount: Int? {
        guard case .array(let elements) = self else { return nil }
        return elements.count
    }
}
