#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A one-line progress display on stderr, drawn only when stderr is a terminal.
struct ProgressBar {
    let label: String
    private let enabled = Terminal.errorIsTerminal
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(label: String) { self.label = label }

    mutating func update(done: Int64, total: Int64, detail: String) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = Date()
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        let line = "\r\(label) [\(bar)] \(Int(fraction * 100))% \(Format.bytes(done)) / \(Format.bytes(total)) \(detail)"
        Terminal.writeError(line)
        drawn = true
    }

    func finish() {
        if drawn { Terminal.writeError("\n") }
    }
}
