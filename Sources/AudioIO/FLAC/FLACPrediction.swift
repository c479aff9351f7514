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
    static func restoreLPC(_ s: UnsafeMutablePointer<Int32>, count n: Int, coef: UnsafePointer<Int32>, order: Int, shift: Int) {
        guard n > order else { return }
        // Constant orders let the compiler unroll the inner sum and keep coefficients in registers.
        switch order {
        case 1: lpcKernel(s, n, coef, 1, shift)
        case 2: lpcKernel(s, n, coef, 2, shift)
        case 3: lpcKernel(s, n, coef, 3, shift)
        case 4: lpcKernel(s, n, coef, 4, shift)
        case 5: lpcKernel(s, n, coef, 5, shift)
        case 6: lpcKernel(s, n, coef, 6, shift)
        case 7: lpcKernel(s, n, coef, 7, shift)
        case 8: lpcKernel(s, n, coef, 8, shift)
        case 9: lpcKernel(s, n, coef, 9, shift)
        case 10: lpcKernel(s, n, coef, 10, shift)
        case 11: lpcKernel(s, n, coef, 11, shift)
        case 12: lpcKernel(s, n, coef, 12, shift)
        default: lpcGeneric(s, n, coef, order, shift)
        }
    }

    @inline(__always)
    private static func lpcKernel(_ s: UnsafeMutablePointer<Int32>, _ n: Int, _ coef: UnsafePointer<Int32>, _ order: Int, _ shift: Int) {
        let c0 = Int64(coef[0])
        let c1 = order > 1 ? Int64(coef[1]) : 0
        let c2 = order > 2 ? Int64(coef[2]) : 0
        let c3 = order > 3 ? Int64(coef[3]) : 0
        let c4 = order > 4 ? Int64(coef[4]) : 0
        let c5 = order > 5 ? Int64(coef[5]) : 0
        let c6 = order > 6 ? Int64(coef[6]) : 0
        let c7 = order > 7 ? Int64(coef[7]) : 0
        let c8 = order > 8 ? Int64(coef[8]) : 0
        let c9 = order > 9 ? Int64(coef[9]) : 0
        let c10 = order > 10 ? Int64(coef[10]) : 0
        let c11 = order > 11 ? Int64(coef[11]) : 0
        let sh = Int64(shift)
        var i = order
        while i < n {
            let h = s + i
            var sum = c0 &* Int64(h[-1])
            if order > 1 { sum &+= c1 &* Int64(h[-2]) }
            if order > 2 { sum &+= c2 &* Int64(h[-3]) }
            if order > 3 { sum &+= c3 &* Int64(h[-4]) }
            if order > 4 { sum &+= c4 &* Int64(h[-5]) }
            if order > 5 { sum &+= c5 &* Int64(h[-6]) }
            if order > 6 { sum &+= c6 &* Int64(h[-7]) }
            if order > 7 { sum &+= c7 &* Int64(h[-8]) }
            if order > 8 { sum &+= c8 &* Int64(h[-9]) }
            if order > 9 { sum &+= c9 &* Int64(h[-10]) }
            if order > 10 { sum &+= c10 &* Int64(h[-11]) }
            if order > 11 { sum &+= c11 &* Int64(h[-12]) }
            h[0] = h[0] &+ Int32(truncatingIfNeeded: sum &>> sh)
            i &+= 1
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
