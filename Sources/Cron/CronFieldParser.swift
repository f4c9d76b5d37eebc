/// Reads one field of a cron expression, such as `1-5/2,10` or `mon-fri`, into a set
/// of values. Grammar (Vixie/Debian cron): a comma-separated list of items; an item is
/// `*`, a value or a range `low-high`, optionally followed by `/step`; a lone value
/// with a step, `a/n`, means `a-max/n`.
struct CronFieldParser {
    let field: CronField
    let text: ArraySlice<Character>
    /// 1-based column of `text.startIndex` in the source text.
    let column: Int

    /// Bit n is set when value n is chosen. Day of week keeps 7 apart from 0 here.
    func parse() throws(CronParseError) -> UInt64 {
        var values: UInt64 = 0
        var itemStart = text.startIndex
        while true {
            let itemEnd = text[itemStart...].firstIndex(of: ",") ?? text.endIndex
            values |= try parseItem(itemStart..<itemEnd)
            if itemEnd == text.endIndex { return values }
            itemStart = itemEnd + 1
        }
    }

    private func parseItem(_ item: Range<Int>) throws(CronParseError) -> UInt64 {
        guard !item.isEmpty else {
            throw error(.invalidValue, at: item.lowerBound, "empty list item; expected \(field.expectedValues) between commas")
        }
        let slash = text[item].firstIndex(of: "/")
        let base = item.lowerBound..<(slash ?? item.upperBound)
        let range = try parseBase(base, hasStep: slash != nil)
        var step = 1
        if let slash {
            step = try parseStep((slash + 1)..<item.upperBound, slash: slash)
        }
        var values: UInt64 = 0
        for value in stride(from: range.lowerBound, through: range.upperBound, by: step) {
            values |= 1 << value
        }
        return values
    }

    /// `*`, `a`, or `a-b`; with a step, a lone `a` stands for `a-max`.
    private func parseBase(_ base: Range<Int>, hasStep: Bool) throws(CronParseError) -> ClosedRange<Int> {
        guard !base.isEmpty else {
            throw error(.invalidValue, at: base.lowerBound, "expected a value or '*' before '/'")
        }
        if text[base.lowerBound] == "*" {
            guard base.count == 1 else {
                throw error(.invalidValue, at: base.lowerBound,
                            "'\(String(text[base]))': '*' stands alone or with a step, such as */5")
            }
            return field.bounds
        }
        guard let dash = text[base].firstIndex(of: "-") else {
            let value = try parseValue(base)
            return hasStep ? value...field.bounds.upperBound : value...value
        }
        guard dash > base.lowerBound else {
            throw error(.invalidValue, at: base.lowerBound,
                        "'\(String(text[base]))' is not a valid value; expected \(field.expectedValues)")
        }
        let end = (dash + 1)..<base.upperBound
        guard !end.isEmpty else {
            throw error(.invalidRange, at: dash, "range '\(String(text[base]))' has no end; expected low-high, such as \(exampleRange)")
        }
        if let secondDash = text[end].firstIndex(of: "-") {
            throw error(.invalidRange, at: secondDash, "'\(String(text[base]))' has more than one '-'; expected low-high, such as \(exampleRange)")
        }
        let low = try parseValue(base.lowerBound..<dash)
        let high = try parseValue(end)
        guard low <= high else {
            // "fri-sun" reads naturally but Sunday is 0 when spelled by name, as in Debian cron.
            let hint = field == .dayOfWeek && high == 0 ? "; sun counts as 0 here, so write \(low)-7" : ", or a list of two ranges"
            throw error(.invalidRange, at: base.lowerBound,
                        "range '\(String(text[base]))' goes backwards; expected low-high, such as \(exampleRange)\(hint)")
        }
        return low...high
    }

    /// A step of 1 or more. As in Debian's crontab, a step larger than the field's range is
    /// accepted and selects the start alone (`*/20` in the month field is January only).
    private func parseStep(_ step: Range<Int>, slash: Int) throws(CronParseError) -> Int {
        let expected = "expected a step of 1 or more"
        guard !step.isEmpty else {
            throw error(.invalidStep, at: slash, "no step after '/'; \(expected)")
        }
        guard let value = number(step) else {
            throw error(.invalidStep, at: step.lowerBound, "'\(String(text[step]))' is not a step; \(expected)")
        }
        guard value >= 1 else {
            throw error(.invalidStep, at: step.lowerBound, "step 0 never advances; \(expected)")
        }
        return value
    }

    /// A number or, for month and day of week, a three-letter name (any case).
    private func parseValue(_ token: Range<Int>) throws(CronParseError) -> Int {
        let spelled = String(text[token])
        if let value = number(token) {
            guard field.bounds.contains(value) else {
                throw error(.outOfRange, at: token.lowerBound, "\(spelled) is out of range; expected \(field.expectedValues)")
            }
            return value
        }
        let isWord = text[token].allSatisfy { $0.isASCII && $0.isLetter }
        guard isWord, !field.names.isEmpty else {
            let kind = field.names.isEmpty ? "a number" : "a number or name"
            throw error(.invalidValue, at: token.lowerBound, "'\(spelled)' is not \(kind); expected \(field.expectedValues)")
        }
        let lowered = spelled.lowercased()
        if let index = field.names.firstIndex(of: lowered) {
            return field.namesStart + index
        }
        let kind = field == .month ? "month name" : "day name"
        if let prefix = field.names.first(where: { lowered.hasPrefix($0) }) {
            throw error(.unknownName, at: token.lowerBound, "'\(spelled)' is not a \(kind); use the three-letter '\(prefix)'")
        }
        throw error(.unknownName, at: token.lowerBound, "'\(spelled)' is not a \(kind); expected \(field.expectedValues)")
    }

    /// Decimal digits only; saturates instead of overflowing so that huge numbers are
    /// reported as out of range.
    private func number(_ token: Range<Int>) -> Int? {
        guard !token.isEmpty else { return nil }
        var value = 0
        for character in text[token] {
            guard let ascii = character.asciiValue, (48...57).contains(ascii) else { return nil }
            value = min(value * 10 + Int(ascii - 48), 1_000_000)
        }
        return value
    }

    private var exampleRange: String {
        switch field {
        case .month: "mar-oct"
        case .dayOfWeek: "mon-fri"
        default: "\(field.bounds.lowerBound + 1)-\(field.bounds.lowerBound + 5)"
        }
    }

    private func error(_ code: CronParseError.Code, at index: Int, _ detail: String) -> CronParseError {
        CronParseError(code, field: field, position: column + (index - text.startIndex), detail)
    }
}
