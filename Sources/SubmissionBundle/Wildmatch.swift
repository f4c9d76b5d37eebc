/// Git's glob matcher (`wildmatch.c`), ported byte for byte so `.hekatonignore` means
/// exactly what the same lines mean in a `.gitignore`: `*`, `?`, `[...]` classes with
/// ranges, `!`/`^` negation and `[:alpha:]`-style names, `\` escapes, and `**`.
///
/// With `pathname`, `*`, `?` and classes never match `/`, and `**` is special only as a
/// whole component (`**/x`, `x/**`, `x/**/y`); elsewhere it is a plain `*`.
enum Wildmatch {
    static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, pathname: Bool) -> Bool {
        Matcher(pattern: Array(pattern), text: Array(text), pathname: pathname).match(patternFrom: 0, textFrom: 0) == .match
    }

    private enum Outcome { case match, noMatch, abortAll, abortToStarStar }

    private struct Matcher {
        let pattern: [UInt8]
        let text: [UInt8]
        let pathname: Bool

        /// The byte at `index`, or 0 past the end: the C code relies on NUL termination.
        private func p(_ index: Int) -> UInt8 { index < pattern.count ? pattern[index] : 0 }
        private func t(_ index: Int) -> UInt8 { index < text.count ? text[index] : 0 }

        /// git's `dowild`: `start` is where this call's pattern begins, which decides
        /// whether a `**` there starts a component.
        func match(patternFrom start: Int, textFrom textStart: Int) -> Outcome {
            var pi = start
            var ti = textStart
            while p(pi) != 0 {
                var pc = p(pi)
                let tc = t(ti)
                if tc == 0 && pc != ASCII.star { return .abortAll }
                switch pc {
                case ASCII.questionMark:
                    if pathname && tc == ASCII.slash { return .noMatch }
                case ASCII.star:
                    pi += 1
                    let matchSlash: Bool
                    if p(pi) == ASCII.star {
                        let previous = pi - 2
                        pi += 1
                        while p(pi) == ASCII.star { pi += 1 }
                        let atComponentStart = previous < start || p(previous) == ASCII.slash
                        let atComponentEnd = p(pi) == 0 || p(pi) == ASCII.slash
                            || (p(pi) == ASCII.backslash && p(pi + 1) == ASCII.slash)
                        if atComponentStart && atComponentEnd {
                            // `a/**/b` also matches `a/b`: try `**/` as matching nothing first.
                            if p(pi) == ASCII.slash && match(patternFrom: pi + 1, textFrom: ti) == .match { return .match }
                            matchSlash = true
                        } else {
                            matchSlash = false
                        }
                    } else {
                        matchSlash = !pathname
                    }
                    if p(pi) == 0 {
                        // A trailing `**` matches everything, a trailing `*` only within one component.
                        if !matchSlash && text[ti...].contains(ASCII.slash) { return .noMatch }
                        return .match
                    }
                    if !matchSlash && p(pi) == ASCII.slash {
                        // `*/` matches the rest of this component; the slash is matched below.
                        guard let slash = text[ti...].firstIndex(of: ASCII.slash) else { return .noMatch }
                        ti = slash
                        break
                    }
                    return matchStar(patternAt: pi, textAt: ti, matchSlash: matchSlash)
                case ASCII.leftBracket:
                    guard let (matched, next) = matchClass(patternAt: pi, textByte: tc) else { return .abortAll }
                    if !matched || (pathname && tc == ASCII.slash) { return .noMatch }
                    pi = next
                default:
                    if pc == ASCII.backslash {
                        pi += 1
                        pc = p(pi)
                    }
                    if tc != pc { return .noMatch }
                }
                pi += 1
                ti += 1
            }
            return t(ti) != 0 ? .noMatch : .match
        }

        /// The loop after a `*` or `**`: tries every position the rest of the pattern could start at.
        private func matchStar(patternAt pi: Int, textAt start: Int, matchSlash: Bool) -> Outcome {
            var ti = start
            var tc = t(ti)
            while tc != 0 {
                let literal = p(pi)
                if !ASCII.isGlobSpecial(literal) {
                    // Skip ahead to the next occurrence of the literal that follows the star.
                    while true {
                        tc = t(ti)
                        if tc == 0 || (!matchSlash && tc == ASCII.slash) || tc == literal { break }
                        ti += 1
                    }
                    if tc != literal { return matchSlash ? .abortAll : .abortToStarStar }
                }
                let outcome = match(patternFrom: pi, textFrom: ti)
                if outcome != .noMatch {
                    if !matchSlash || outcome != .abortToStarStar { return outcome }
                } else if !matchSlash && tc == ASCII.slash {
                    return .abortToStarStar
                }
                ti += 1
                tc = t(ti)
            }
            return .abortAll
        }

        /// A `[...]` class starting at `start` against one text byte: whether it matched,
        /// and the index of the closing `]`; nil when the class is malformed (no match at all).
        private func matchClass(patternAt start: Int, textByte tc: UInt8) -> (Bool, Int)? {
            var pi = start + 1
            var pc = p(pi)
            if pc == ASCII.caret { pc = ASCII.exclamation }
            let negated = pc == ASCII.exclamation
            if negated {
                pi += 1
                pc = p(pi)
            }
            var previous: UInt8 = 0
            var matched = false
            repeat {
                if pc == 0 { return nil }
                if pc == ASCII.backslash {
                    pi += 1
                    pc = p(pi)
                    if pc == 0 { return nil }
                    if tc == pc { matched = true }
                } else if pc == ASCII.dash && previous != 0 && p(pi + 1) != 0 && p(pi + 1) != ASCII.rightBracket {
                    pi += 1
                    pc = p(pi)
                    if pc == ASCII.backslash {
                        pi += 1
                        pc = p(pi)
                        if pc == 0 { return nil }
                    }
                    if tc <= pc && tc >= previous { matched = true }
                    pc = 0  // a range cannot start another range
                } else if pc == ASCII.leftBracket && p(pi + 1) == ASCII.colon {
                    let nameStart = pi + 2
                    var end = nameStart
                    while p(end) != 0 && p(end) != ASCII.rightBracket { end += 1 }
                    if p(end) == 0 { return nil }
                    if end - nameStart - 1 < 0 || p(end - 1) != ASCII.colon {
                        // No `:]`: the `[` is an ordinary member.
                        if tc == ASCII.leftBracket { matched = true }
                        pc = ASCII.leftBracket
                    } else {
                        guard let member = ASCII.namedClass(pattern[nameStart..<(end - 1)]) else { return nil }
                        if member(tc) { matched = true }
                        pi = end
                        pc = 0
                    }
                } else if tc == pc {
                    matched = true
                }
                previous = pc
                pi += 1
                pc = p(pi)
            } while pc != ASCII.rightBracket
            return (matched != negated, pi)
        }
    }
}
