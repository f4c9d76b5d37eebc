import ArgumentParser
import ControlClient

/// `hekatonctl status` without the argument parser: the call that prompts, scripts and
/// monitoring make in loops, and so the one whose start-up cost is paid most often.
///
/// ArgumentParser builds its view of a command by reflection (`Mirror` over the property
/// wrappers, generic types made at run time, each first use a scan of every protocol
/// conformance in the binary); for `status` that was half of the call's CPU time. Only the
/// plain forms below take this path; anything else, `--help` and every mistake included,
/// goes through ArgumentParser as before, so that errors and help read the same. The tests
/// check that each form here means what ArgumentParser makes of it.
enum QuickPath {
    /// What a plain `status` command line asks for.
    struct StatusCall: Equatable {
        var socket: String?
        var host: String?
        var json = false
    }

    /// `status` with at most one each of `--json`, `--socket PATH` and `--host URL` (or
    /// `--socket=PATH`, `--host=URL`), in any order; nil for anything else.
    static func status(_ arguments: [String]) -> StatusCall? {
        guard arguments.first == "status" else { return nil }
        var call = StatusCall()
        var seen: Set<String> = []
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard seen.insert(name).inserted else { return nil }
            switch name {
            case "--json":
                guard parts.count == 1 else { return nil }
                call.json = true
            case "--socket", "--host":
                let value = parts.count == 2 ? String(parts[1]) : rest.popFirst()
                guard let value, !value.isEmpty, !value.hasPrefix("-") else { return nil }
                if name == "--socket" { call.socket = value } else { call.host = value }
            default:
                return nil
            }
        }
        return call
    }

    /// Runs `arguments` when they are a plain status call; false to leave them to ArgumentParser.
    static func run(_ arguments: [String]) -> Bool {
        guard let call = status(arguments) else { return false }
        do {
            try withDaemon(socket: call.socket, host: call.host) { client in
                try Hekatonctl.Status.show(client: client, output: call.json ? .json : .text)
            }
        } catch {
            Hekatonctl.exit(withError: error)
        }
        return true
    }
}
