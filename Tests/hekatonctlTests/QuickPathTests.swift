import ArgumentParser
@testable import hekatonctl
import Testing

@Suite("hekatonctl's quick path for status")
struct QuickPathTests {
    @Test("Each plain status command line means what ArgumentParser makes of it", arguments: [
        ["status"],
        ["status", "--json"],
        ["status", "--socket", "/run/hekaton/hekatond.sock"],
        ["status", "--socket=/tmp/d.sock", "--json"],
        ["status", "--json", "--host", "ssh://ana@build:2222/run/hekaton/hekatond.sock"],
        ["status", "--host=ssh://build", "--socket", "/tmp/x.sock"],
    ])
    func sameAsArgumentParser(arguments: [String]) throws {
        let quick = try #require(QuickPath.status(arguments))
        let parsed = try #require(try Hekatonctl.parseAsRoot(arguments) as? Hekatonctl.Status)
        #expect(quick == QuickPath.StatusCall(socket: parsed.connection.socket, host: parsed.connection.host,
                                              json: parsed.format.json))
    }

    @Test("Anything else is left to ArgumentParser, so that help and errors read the same", arguments: [
        [],
        ["jobs"],
        ["status", "--help"],
        ["status", "-h"],
        ["status", "--json", "--json"],
        ["status", "--socket"],
        ["status", "--socket="],
        ["status", "--socket", "--json"],
        ["status", "--socket", "/a", "--socket", "/b"],
        ["status", "--json=yes"],
        ["status", "extra"],
        ["status", "--verbose"],
        ["--version"],
    ])
    func leftToArgumentParser(arguments: [String]) {
        #expect(QuickPath.status(arguments) == nil)
    }
}
