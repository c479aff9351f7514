import EngramCore

/// Percentiles with numpy's default rule (`method="linear"`, R type 7): for sorted values a[0..n−1]
/// and q in percent, the virtual index is h = (n − 1)·q/100 and the result interpolates
/// a[⌊h⌋] and a[⌊h⌋ + 1] with numpy's two-sided lerp (exact at both ends).
public enum Percentile {
    /// The q-th percentile (q in [0, 100]) of `values`, computed in Double.
    /// - Throws: `EngramError` for empty input, q outside [0, 100], or NaN values.
    public static func linear(_ values: [Double], q: Double) throws -> Double {
        try linear(values, q: [q])[0]
    }

    /// `linear` for float32 values (computed in Double, as numpy does for the interpolation weights).
    public static func linear(_ values: [Float], q: Double) throws -> Double {
        try linear(values.map(Double.init), q: [q])[0]
    }

    /// Several percentiles of the same values (sorts once).
    public static func linear(_ values: [Double], q: [Double]) throws -> [Double] {
        guard !values.isEmpty else { throw EngramError("percentile", "no values") }
        if values.contains(where: { $0.isNaN }) { throw EngramError("percentile", "values contain NaN") }
        let sorted = values.sorted()
        return try q.map { try linear(sorted: sorted, q: $0) }
    }

    /// `linear` for float32 values, several percentiles.
    public static func linear(_ values: [Float], q: [Double]) throws -> [Double] {
        try linear(values.map(Double.init), q: q)
    }

    /// The q-th percentile of already ascending-sorted values.
    public static func linear(sorted a: [Double], q: Double) throws -> Double {
        guard !a.isEmpty else { throw EngramError("percentile", "no values") }
        guard q >= 0, q <= 100 else { throw EngramError("percentile", "q must be in [0, 100] (got \(q))") }
        let h = Double(a.count - 1) * (q / 100)
        let lower = min(max(Int(h.rounded(.down)), 0), a.count - 1)
        let upper = min(lower + 1, a.count - 1)
        let t = h - Double(lower)
        return lerp(a[lower], a[upper], t)
    }

    /// numpy's `_lerp`: a + (b − a)·t, but b − (b − a)·(1 − t) when t ≥ 0.5.
    @inline(__always)
    static func lerp(_ a: Double, _ b: Double, _ t: Double) -> Double {
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }
}
