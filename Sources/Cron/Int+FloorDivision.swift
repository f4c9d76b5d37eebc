extension Int {
    /// Division rounding toward negative infinity, so that instants before 1970 fall in
    /// the right minute and day (Swift's `/` rounds toward zero).
    package func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// Division rounding toward positive infinity.
    func ceilingDivided(by divisor: Int) -> Int {
        -(-self).floorDivided(by: divisor)
    }
}
