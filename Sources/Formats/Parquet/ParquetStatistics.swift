/// Column-chunk statistics as Parquet defines them for REQUIRED columns: `null_count` 0 and
/// `min_value`/`max_value` PLAIN-encoded (no length prefix) in the type's sort order — signed for
/// integers, IEEE for floats with NaN ignored (-0.0 as the minimum and +0.0 as the maximum when
/// an extreme is zero), false < true, and unsigned byte-wise for UTF-8 strings.
/// The deprecated `min`/`max` fields are also written for numeric and boolean columns (their
/// order agrees there); never for strings, whose legacy order was signed bytes.
enum ParquetStatisticsBuilder {
    static func integers<T: FixedWidthInteger>(_ values: ArraySlice<T>) -> ParquetFormat.Statistics {
        var s = ParquetFormat.Statistics()
        s.nullCount = 0
        guard var lo = values.first else { return s }
        var hi = lo
        for v in values {
            lo = Swift.min(lo, v)
            hi = Swift.max(hi, v)
        }
        setMinMax(&s, min: littleEndianBytes(lo), max: littleEndianBytes(hi), legacy: true)
        return s
    }

    static func floats<T: BinaryFloatingPoint>(_ values: ArraySlice<T>) -> ParquetFormat.Statistics {
        var s = ParquetFormat.Statistics()
        s.nullCount = 0
        var lo = T.infinity, hi = -T.infinity
        var any = false
        for v in values where !v.isNaN {
            any = true
            if v < lo { lo = v }
            if v > hi { hi = v }
        }
        guard any else { return s }
        if lo == 0 { lo = -0.0 }
        if hi == 0 { hi = 0.0 }
        setMinMax(&s, min: littleEndianBytes(lo), max: littleEndianBytes(hi), legacy: true)
        return s
    }

    static func bools(_ values: ArraySlice<Bool>) -> ParquetFormat.Statistics {
        var s = ParquetFormat.Statistics()
        s.nullCount = 0
        guard !values.isEmpty else { return s }
        let anyTrue = values.contains(true)
        let anyFalse = values.contains(false)
        setMinMax(&s, min: [anyFalse ? 0 : 1], max: [anyTrue ? 1 : 0], legacy: true)
        return s
    }

    static func strings(_ values: ArraySlice<String>) -> ParquetFormat.Statistics {
        var s = ParquetFormat.Statistics()
        s.nullCount = 0
        guard let first = values.first else { return s }
        var lo = Array(first.utf8), hi = lo
        for var v in values {
            v.withUTF8 { u in
                guard let p = u.baseAddress, u.count > 0 else {
                    if !lo.isEmpty { lo = [] }  // the empty string is the smallest value
                    return
                }
                let belowLo = lo.withUnsafeBufferPointer { ByteCompare.compare(p, u.count, $0.baseAddress ?? p, $0.count) < 0 }
                if belowLo { lo = Array(u) }
                let aboveHi = hi.withUnsafeBufferPointer { ByteCompare.compare(p, u.count, $0.baseAddress ?? p, $0.count) > 0 }
                if aboveHi { hi = Array(u) }
            }
        }
        setMinMax(&s, min: lo, max: hi, legacy: false)
        return s
    }

    private static func setMinMax(_ s: inout ParquetFormat.Statistics, min: [UInt8], max: [UInt8], legacy: Bool) {
        s.minValue = min
        s.maxValue = max
        if legacy {
            s.min = min
            s.max = max
        }
    }

    static func littleEndianBytes<T>(_ v: T) -> [UInt8] {
        withUnsafeBytes(of: v) { Array($0) }
    }
}

/// Running unsigned-lexicographic min/max of byte strings (BYTE_ARRAY statistics). A value equal
/// to the previous one is skipped cheaply (sorted or clustered ids repeat).
struct ByteArrayMinMax {
    var lo: [UInt8]?
    var hi: [UInt8]?
    private var previous: UnsafePointer<UInt8>?
    private var previousCount = -1

    mutating func update(_ p: UnsafePointer<UInt8>, _ n: Int) {
        if n == previousCount, let q = previous, ByteCompare.equal(p, q, count: n) { return }
        previous = p
        previousCount = n
        guard let l = lo, let h = hi else {
            lo = Array(UnsafeBufferPointer(start: p, count: n))
            hi = lo
            return
        }
        if l.withUnsafeBufferPointer({ ByteCompare.compare(p, n, $0.baseAddress ?? p, $0.count) < 0 }) {
            lo = Array(UnsafeBufferPointer(start: p, count: n))
        } else if h.withUnsafeBufferPointer({ ByteCompare.compare(p, n, $0.baseAddress ?? p, $0.count) > 0 }) {
            hi = Array(UnsafeBufferPointer(start: p, count: n))
        }
    }
}
