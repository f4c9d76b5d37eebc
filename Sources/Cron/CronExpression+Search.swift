extension CronExpression {
    /// One attempt at the search with a given offset table. Instants are whole seconds
    /// since 1970 UTC; wall times are seconds since 1970 on the zone's wall clock.
    enum SearchOutcome: Equatable {
        case fire(Int)
        /// No fire before the year 10000.
        case never
        /// The search ran past the end of the table; retry with one reaching `instant`.
        case needsTableCovering(Int)
    }

    func nextFire(after instant: Int, in table: ZoneOffsetTable) -> SearchOutcome {
        switch daylightSavingRule {
        case .everyMatchingInstant: nextMatchingInstant(after: instant, in: table)
        case .oncePerWallTime: nextFirstOccurrence(after: instant, in: table)
        }
    }

    /// Walks the offset segments from `instant`: inside a segment wall time is UTC plus
    /// one offset, so the first matching wall time in the segment's stretch of wall clock
    /// is the answer if it comes before the segment ends. Skipped wall times never
    /// appear and repeated ones appear once per segment, as this rule wants.
    private func nextMatchingInstant(after instant: Int, in table: ZoneOffsetTable) -> SearchOutcome {
        var from = instant + 1
        var segment = table.segment(containing: from)
        // A search result stays valid for later segments that start between its start and
        // its match: sparse expressions would otherwise repeat the search per segment.
        var known: (from: Int, match: Int)?
        while true {
            let offset = table.offsets[segment]
            let wallFrom = from + offset
            let match: Int
            if let known, known.from <= wallFrom, wallFrom <= known.match {
                match = known.match
            } else {
                guard let found = pattern.firstMatch(atOrAfter: wallFrom) else { return .never }
                known = (wallFrom, found)
                match = found
            }
            let fire = match - offset
            if fire < table.end(ofSegment: segment) { return .fire(fire) }
            if table.isLast(segment) { return .needsTableCovering(fire) }
            segment += 1
            from = table.start(ofSegment: segment)
        }
    }

    /// Each matching wall time fires once, at `firstInstant(showing:)`; that mapping
    /// never decreases, so the answer is the first matching wall time whose instant is
    /// after `instant`. Starting from the wall time at `instant` usually gets it at
    /// once; only inside a repeated hour do earlier wall times map to earlier instants.
    private func nextFirstOccurrence(after instant: Int, in table: ZoneOffsetTable) -> SearchOutcome {
        let wallNow = instant + table.offsets[table.segment(containing: instant)]
        var wallTime = pattern.firstMatch(atOrAfter: wallNow.floorDivided(by: 60) * 60)
        while let candidate = wallTime {
            guard let fire = firstInstant(showing: candidate, in: table) else {
                return .needsTableCovering(candidate + Self.longestOffset)
            }
            if fire > instant { return .fire(fire) }
            wallTime = pattern.firstMatch(atOrAfter: candidate + 60)
        }
        return .never
    }

    /// The first instant whose wall time is `wallTime`; for a wall time skipped by a
    /// gap, the first whole minute after the gap. Nil if the table ends too early.
    private func firstInstant(showing wallTime: Int, in table: ZoneOffsetTable) -> Int? {
        // Offsets stay within a day of UTC, so no earlier segment's wall clock reaches
        // `wallTime`.
        var segment = table.segment(containing: wallTime - Self.longestOffset)
        while true {
            let offset = table.offsets[segment]
            if table.end(ofSegment: segment) + offset > wallTime {
                var fire = max(table.start(ofSegment: segment), wallTime - offset)
                // Whole-minute offsets make this 0; local mean times of the 19th century
                // have odd seconds, and cron still fires on a whole minute.
                let late = (fire + offset - wallTime) % 60
                if late != 0 { fire += 60 - late }
                return fire
            }
            if table.isLast(segment) { return nil }
            segment += 1
        }
    }

    private static let longestOffset = 2 * 86_400
}
