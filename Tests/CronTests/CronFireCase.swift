import Foundation
import Cron
import Testing

/// An expression, a zone, a start instant and the fire times expected strictly after
/// it, all instants in RFC 3339 UTC.
struct CronFireCase: Sendable, CustomTestStringConvertible {
    let expression: String
    let zone: String
    let after: String
    let fires: [String]

    init(_ expression: String, _ zone: String, after: String, fires: [String]) {
        self.expression = expression
        self.zone = zone
        self.after = after
        self.fires = fires
    }

    var testDescription: String { "'\(expression)' in \(zone) after \(after)" }

    func expectFires() throws {
        let cron = try CronExpression(expression, timeZone: CronFixture.zone(zone))
        let found = cron.nextFireDates(after: try CronFixture.instant(after), count: fires.count)
        #expect(found.map(CronFixture.rfc3339) == fires)
    }
}
