import ControlAPI
import Foundation
import HekatonSupport

/// Production's score on each dataset version as an SVG line chart, one point a version,
/// with the rounds' decisions and the rollbacks marked. Made here, not by a library: every
/// text in it is escaped, and its size grows with the versions alone.
struct HistoryChart {
    struct Point {
        var version: String
        var score: Double?
        var promoted: Bool
        var kept: Bool
        var rolledBack: Bool
    }

    let points: [Point]
    let metric: String

    init(_ history: HistoryResponse) {
        metric = history.metric
        let starts = history.rows.map { RFC3339.parse($0.registeredAt) ?? .distantPast }
        points = history.rows.enumerated().map { index, row in
            let end = index + 1 < starts.count ? starts[index + 1] : .distantFuture
            let score = row.rounds.last?.productionScore ?? row.production?.score
            let rolledBack = history.promotions.contains { promotion in
                guard promotion.kind.contains("rollback"), let at = RFC3339.parse(promotion.at) else { return false }
                return at >= starts[index] && at < end
            }
            return Point(version: row.datasetVersion, score: score,
                         promoted: row.rounds.contains { $0.state == "promoted" }, kept: row.rounds.contains { $0.state == "kept" },
                         rolledBack: rolledBack)
        }
    }

    init(points: [Point], metric: String) {
        self.points = points
        self.metric = metric
    }

    func svg(width: Double = 800, height: Double = 300) -> String {
        let left = 60.0, right = 20.0, top = 20.0, bottom = 50.0
        let scores = points.compactMap(\.score).filter(\.isFinite)
        var low = scores.min() ?? 0, high = scores.max() ?? 1
        if high - low < 1e-12 { low -= 0.5; high += 0.5 }
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ index: Int) -> Double { points.count > 1 ? left + plotWidth * Double(index) / Double(points.count - 1) : left + plotWidth / 2 }
        func y(_ score: Double) -> Double { top + plotHeight * (1 - (score - low) / (high - low)) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-labelledby=\"chart-title\">"
        out += "<title id=\"chart-title\">Production's \(HTMLText.escaped(metric)) on each of \(points.count) dataset versions</title>"
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"#fafafa\" stroke=\"#c8c8c8\"/>"
        for (value, label) in [(high, high), (low, low)] {
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#333\">\(HTMLText.escaped(String(format: "%.4g", label)))</text>"
        }
        if let first = points.first {
            out += "<text x=\"\(f(left))\" y=\"\(f(height - 20))\" font-size=\"11\" fill=\"#333\">\(HTMLText.escaped(first.version))</text>"
        }
        if points.count > 1, let last = points.last {
            out += "<text x=\"\(f(width - right))\" y=\"\(f(height - 20))\" text-anchor=\"end\" font-size=\"11\" fill=\"#333\">\(HTMLText.escaped(last.version))</text>"
        }
        let line = points.enumerated().compactMap { index, point in point.score.flatMap { $0.isFinite ? $0 : nil }.map { "\(f(x(index))),\(f(y($0)))" } }
        if line.count > 1 {
            out += "<polyline fill=\"none\" stroke=\"#0b4f8a\" stroke-width=\"1.5\" points=\"\(line.joined(separator: " "))\"/>"
        }
        for (index, point) in points.enumerated() {
            let px = x(index)
            let score = point.score.flatMap { $0.isFinite ? $0 : nil }
            let py = score.map(y) ?? (top + plotHeight)
            let label = "\(point.version): " + (score.map { "\($0)" } ?? "no score")
            out += "<circle class=\"point\" data-version=\"\(HTMLText.escaped(point.version))\" cx=\"\(f(px))\" cy=\"\(f(py))\" r=\"3\" "
                + (score == nil ? "fill=\"#fff\" stroke=\"#4a4a4a\"" : "fill=\"#0b4f8a\"") + "><title>\(HTMLText.escaped(label))</title></circle>"
            if point.promoted {
                out += "<text class=\"mark promoted\" x=\"\(f(px))\" y=\"\(f(py - 8))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#1d6b2a\">▲</text>"
            }
            if point.kept {
                out += "<text class=\"mark kept\" x=\"\(f(px))\" y=\"\(f(py - 8))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#6b4a00\">✕</text>"
            }
            if point.rolledBack {
                out += "<text class=\"mark rollback\" x=\"\(f(px))\" y=\"\(f(py + 16))\" text-anchor=\"middle\" font-size=\"12\" fill=\"#9b1c1c\">▼</text>"
            }
        }
        return out + "</svg>"
    }
}
