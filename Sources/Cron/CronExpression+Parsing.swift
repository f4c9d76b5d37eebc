extension CronExpression {
    /// Reads the text as given (columns in errors count its characters from 1) into the
    /// pattern it matches and the daylight-saving rule its minute and hour fields select.
    static func parse(_ text: String) throws(CronParseError) -> (CronWallClockPattern, CronDaylightSavingRule) {
        // Five fields of lists fit easily; a longer text is no expression, and parsing it costs time.
        guard text.utf8.count <= 1024 else {
            throw CronParseError(.invalidValue, "the expression is \(text.utf8.count) bytes long; five fields such as '0 4 * * *' need far fewer than 1024")
        }
        let characters = Array(text)
        let words = words(in: characters)
        guard let first = words.first else {
            throw CronParseError(.empty, "the expression is empty; expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily")
        }
        if characters[first.lowerBound] == "@" {
            let expansion = Array(try expand(macro: first, in: characters, followedBy: words.dropFirst().first))
            // Expansions are valid, so no error can point into them.
            return try parseFields(expansion, self.words(in: expansion), column: { _ in first.lowerBound + 1 })
        }
        return try parseFields(characters, words, column: { $0 + 1 })
    }

    private static func parseFields(
        _ characters: [Character], _ words: [Range<Int>], column: (Int) -> Int
    ) throws(CronParseError) -> (CronWallClockPattern, CronDaylightSavingRule) {
        let fieldNames = CronField.allCases.map(\.name).joined(separator: " ")
        guard words.count <= 5 else {
            let extra = words[5]
            throw CronParseError(.fieldCount, position: column(extra.lowerBound),
                                 "expected 5 fields (\(fieldNames)) but found \(words.count); '\(String(characters[extra]))' is one too many")
        }
        guard words.count == 5 else {
            let missing = CronField.allCases[words.count...].map(\.name).joined(separator: ", ")
            throw CronParseError(.fieldCount,
                                 "expected 5 fields (\(fieldNames)) but found \(words.count); missing \(missing)")
        }
        var values: [UInt64] = []
        for (field, word) in zip(CronField.allCases, words) {
            values.append(try CronFieldParser(field: field, text: characters[word], column: column(word.lowerBound)).parse())
        }
        let startsWithStar = words.map { characters[$0.lowerBound] == "*" }
        let pattern = CronWallClockPattern(
            minutes: values[0], hours: values[1], daysOfMonth: values[2], months: values[3], daysOfWeek: values[4],
            daysMatchEither: !startsWithStar[2] && !startsWithStar[4])
        guard pattern.canEverMatch else {
            let dayOfMonth = words[2]
            let months = (1...12).filter { pattern.months & (1 << $0) != 0 }.map(monthName)
            throw CronParseError(.neverFires, field: .dayOfMonth, position: column(dayOfMonth.lowerBound),
                                 "'\(String(characters[dayOfMonth]))' never falls in \(listed(months)), so the expression would never fire; choose days those months have")
        }
        let rule: CronDaylightSavingRule = startsWithStar[0] || startsWithStar[1] ? .everyMatchingInstant : .oncePerWallTime
        return (pattern, rule)
    }

    private static func expand(
        macro: Range<Int>, in characters: [Character], followedBy next: Range<Int>?
    ) throws(CronParseError) -> String {
        let spelled = String(characters[macro])
        let name = spelled.dropFirst().lowercased()
        guard let expansion = CronMacro(rawValue: name) else {
            let detail = name == "reboot"
                ? "@reboot is not supported: schedules fire on the calendar, not when the daemon starts; expected one of \(CronMacro.spellings)"
                : "'\(spelled)' is not a known macro; expected one of \(CronMacro.spellings)"
            throw CronParseError(.unknownMacro, position: macro.lowerBound + 1, detail)
        }
        if let next {
            throw CronParseError(.fieldCount, position: next.lowerBound + 1,
                                 "'\(spelled)' stands alone, but '\(String(characters[next]))' follows it; use either a macro or 5 fields")
        }
        return expansion.fields
    }

    /// Maximal runs of non-whitespace.
    private static func words(in characters: [Character]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start: Int?
        for (index, character) in characters.enumerated() {
            if character.isWhitespace {
                if let wordStart = start { words.append(wordStart..<index) }
                start = nil
            } else if start == nil {
                start = index
            }
        }
        if let wordStart = start { words.append(wordStart..<characters.count) }
        return words
    }

    private static func monthName(_ month: Int) -> String {
        ["january", "february", "march", "april", "may", "june", "july", "august", "september",
         "october", "november", "december"][month - 1]
    }

    private static func listed(_ items: [String]) -> String {
        items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items.last!
    }
}
