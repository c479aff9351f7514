/// Sample reconstruction from residuals (RFC 9639 §9.2.5–9.2.6), in place: on entry
/// `s[0..<order]` are warm-up samples and `s[order..<n]` residuals; on exit all are samples.
enum FLACPrediction {
    /// Fixed polynomial predictors, orders 0...4. Wrapping 32-bit arithmetic is exact here: the
    /// predictor is a polynomial with integer coefficients, so the result is correct modulo 2³²
    /// and every valid sample fits in 32 bits.
    static func restoreFixed(_ s: UnsafeMutablePointer<Int32>, count n: Int, order: Int) {
        guard n > order else { return }
        switch order {
        case 1:
            var a = s[0]
            for i in 1..<n { a = s[i] &+ a; s[i] = a }
        case 2:
            var a = s[1], b = s[0]
            for i in 2..<n { let v = s[i] &+ 2 &* a &- b; b = a; a = v; s[i] = v }
        case 3:
            var a = s[2], b = s[1], c = s[0]
            for i in 3..<n { let v = s[i] &+ 3 &* (a &- b) &+ c; c = b; b = a; a = v; s[i] = v }
        case 4:
            var a = s[3], b = s[2], c = s[1], d = s[0]
            for i in 4..<n { let v = s[i] &+ 4 &* (a &+ c) &- 6 &* b &- d; d = c; c = b; b = a; a = v; s[i] = v }
        default:
            break
        }
    }

    /// Linear prediction with quantised coefficients `coef[0..<order]` (coef[j] multiplies s[i-1-j])
    /// and right shift `shift`. The sum uses 64-bit arithmetic, exact for any valid stream.
    /// Orders 1–12 (all the reference encoder's subset levels use) are written out so coefficients
    /// stay in registers (the cases are generated, one per order). The newest sample stays in a
    /// register (`last`) and its term is added last, so the loop-carried chain is one multiply, add,
    /// shift and add; older samples are re-read from memory.
    static func restoreLPC(_ s: UnsafeMutablePointer<Int32>, count n: Int, coef: UnsafePointer<Int32>, order: Int, shift: Int) {
        guard n > order else { return }
        let sh = Int64(shift)
        switch order {
        case 1:
            let c0 = Int64(coef[0])
            var h = s + 1
            var last = Int64(h[-1])
            for _ in 1..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 2:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1])
            var h = s + 2
            var last = Int64(h[-1])
            for _ in 2..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 3:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2])
            var h = s + 3
            var last = Int64(h[-1])
            for _ in 3..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 4:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3])
            var h = s + 4
            var last = Int64(h[-1])
            for _ in 4..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 5:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3]), c4 = Int64(coef[4])
            var h = s + 5
            var last = Int64(h[-1])
            for _ in 5..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c4 &* Int64(h[-5]) &+ c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 6:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3]), c4 = Int64(coef[4]), c5 = Int64(coef[5])
            var h = s + 6
            var last = Int64(h[-1])
            for _ in 6..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c5 &* Int64(h[-6]) &+ c4 &* Int64(h[-5]) &+ c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 7:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3]), c4 = Int64(coef[4]), c5 = Int64(coef[5]), c6 = Int64(coef[6])
            var h = s + 7
            var last = Int64(h[-1])
            for _ in 7..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c6 &* Int64(h[-7]) &+ c5 &* Int64(h[-6]) &+ c4 &* Int64(h[-5]) &+ c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 8:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3]), c4 = Int64(coef[4]), c5 = Int64(coef[5]), c6 = Int64(coef[6]), c7 = Int64(coef[7])
            var h = s + 8
            var last = Int64(h[-1])
            for _ in 8..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c7 &* Int64(h[-8]) &+ c6 &* Int64(h[-7]) &+ c5 &* Int64(h[-6]) &+ c4 &* Int64(h[-5]) &+ c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 9:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3]), c4 = Int64(coef[4]), c5 = Int64(coef[5]), c6 = Int64(coef[6]), c7 = Int64(coef[7]), c8 = Int64(coef[8])
            var h = s + 9
            var last = Int64(h[-1])
            for _ in 9..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c8 &* Int64(h[-9]) &+ c7 &* Int64(h[-8]) &+ c6 &* Int64(h[-7]) &+ c5 &* Int64(h[-6]) &+ c4 &* Int64(h[-5]) &+ c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 10:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3]), c4 = Int64(coef[4]), c5 = Int64(coef[5]), c6 = Int64(coef[6]), c7 = Int64(coef[7]), c8 = Int64(coef[8]), c9 = Int64(coef[9])
            var h = s + 10
            var last = Int64(h[-1])
            for _ in 10..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c9 &* Int64(h[-10]) &+ c8 &* Int64(h[-9]) &+ c7 &* Int64(h[-8]) &+ c6 &* Int64(h[-7]) &+ c5 &* Int64(h[-6]) &+ c4 &* Int64(h[-5]) &+ c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 11:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3]), c4 = Int64(coef[4]), c5 = Int64(coef[5]), c6 = Int64(coef[6]), c7 = Int64(coef[7]), c8 = Int64(coef[8]), c9 = Int64(coef[9]), c10 = Int64(coef[10])
            var h = s + 11
            var last = Int64(h[-1])
            for _ in 11..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c10 &* Int64(h[-11]) &+ c9 &* Int64(h[-10]) &+ c8 &* Int64(h[-9]) &+ c7 &* Int64(h[-8]) &+ c6 &* Int64(h[-7]) &+ c5 &* Int64(h[-6]) &+ c4 &* Int64(h[-5]) &+ c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        case 12:
            let c0 = Int64(coef[0]), c1 = Int64(coef[1]), c2 = Int64(coef[2]), c3 = Int64(coef[3]), c4 = Int64(coef[4]), c5 = Int64(coef[5]), c6 = Int64(coef[6]), c7 = Int64(coef[7]), c8 = Int64(coef[8]), c9 = Int64(coef[9]), c10 = Int64(coef[10]), c11 = Int64(coef[11])
            var h = s + 12
            var last = Int64(h[-1])
            for _ in 12..<n {
                let v = h[0] &+ Int32(truncatingIfNeeded: (c11 &* Int64(h[-12]) &+ c10 &* Int64(h[-11]) &+ c9 &* Int64(h[-10]) &+ c8 &* Int64(h[-9]) &+ c7 &* Int64(h[-8]) &+ c6 &* Int64(h[-7]) &+ c5 &* Int64(h[-6]) &+ c4 &* Int64(h[-5]) &+ c3 &* Int64(h[-4]) &+ c2 &* Int64(h[-3]) &+ c1 &* Int64(h[-2]) &+ c0 &* last) &>> sh)
                h[0] = v
                last = Int64(v)
                h += 1
            }
        default:
            lpcGeneric(s, n, coef, order, shift)
        }
    }

    private static func lpcGeneric(_ s: UnsafeMutablePointer<Int32>, _ n: Int, _ coef: UnsafePointer<Int32>, _ order: Int, _ shift: Int) {
        let sh = Int64(shift)
        var i = order
        while i < n {
            let h = s + i
            var sum: Int64 = 0
            var j = 0
            while j < order { sum &+= Int64(coef[j]) &* Int64(h[-1 &- j]); j &+= 1 }
            h[0] = h[0] &+ Int32(truncatingIfNeeded: sum &>> sh)
            i &+= 1
        }
    }
}
