/// Chooses and writes one subframe (RFC 9639 §9.2): CONSTANT, VERBATIM or FIXED order 0–4, with
/// wasted bits and a partitioned Rice / Rice2 residual (escape-coded partitions where cheaper).
/// Sizes are computed exactly, so the cheapest choice is the one written.
struct FLACSubframeEncoder {
    /// Largest residual partition order tried (RFC limit 15; the FLAC subset allows 8).
    var maxPartitionOrder = 8

    /// A planned subframe: what `write` will emit and its exact size in bits.
    struct Plan {
        enum Kind { case constant, verbatim, fixed(order: Int) }
        var kind: Kind
        var wasted: Int
        var bits: Int
        var residual: ResidualPlan?
    }

    /// A planned partitioned residual.
    struct ResidualPlan {
        /// 4 (Rice) or 5 (Rice2) parameter bits.
        var parameterBits: Int
        var partitionOrder: Int
        /// Rice parameter per partition, or `escapeBits[i] >= 0` for an escaped partition.
        var parameters: [Int]
        var escapeBits: [Int]
        var bits: Int
    }

    /// Plans the cheapest subframe for `x` (n samples of `bps` bits, side channels included).
    func plan(_ x: [Int32], bps: Int) -> Plan {
        let n = x.count
        let headerBits = 8
        var orAll: Int32 = 0
        var allEqual = true
        for v in x { orAll |= v; if v != x[0] { allEqual = false } }
        if allEqual {
            return Plan(kind: .constant, wasted: 0, bits: headerBits + bps, residual: nil)
        }
        let wasted = orAll == 0 ? 0 : min(Int(orAll.trailingZeroBitCount), bps - 1)
        let b = bps - wasted
        let wastedBits = wasted > 0 ? wasted : 0 // unary: (wasted-1) zeros + a one
        var best = Plan(kind: .verbatim, wasted: wasted, bits: headerBits + wastedBits + n * b, residual: nil)
        let y = wasted > 0 ? x.map { $0 >> Int32(wasted) } : x
        for order in 0...min(4, n - 1) {
            let r = FLACSubframeEncoder.fixedResidual(y, order: order)
            guard let rp = planResidual(r, blockSize: n, order: order) else { continue }
            let bits = headerBits + wastedBits + order * b + rp.bits
            if bits < best.bits { best = Plan(kind: .fixed(order: order), wasted: wasted, bits: bits, residual: rp) }
        }
        return best
    }

    /// Residual of the fixed polynomial predictor of `order` for samples order..<n (64-bit, exact).
    static func fixedResidual(_ y: [Int32], order: Int) -> [Int64] {
        let n = y.count
        guard n > order else { return [] }
        var r = [Int64](repeating: 0, count: n - order)
        for i in order..<n {
            let a = Int64(y[i])
            switch order {
            case 0: r[i] = a
            case 1: r[i - 1] = a - Int64(y[i - 1])
            case 2: r[i - 2] = a - 2 * Int64(y[i - 1]) + Int64(y[i - 2])
            case 3: r[i - 3] = a - 3 * Int64(y[i - 1]) + 3 * Int64(y[i - 2]) - Int64(y[i - 3])
            default: r[i - 4] = a - 4 * Int64(y[i - 1]) + 6 * Int64(y[i - 2]) - 4 * Int64(y[i - 3]) + Int64(y[i - 4])
            }
        }
        return r
    }

    /// Two's-complement width needed for `v`.
    static func signedBits(_ v: Int64) -> Int {
        v >= 0 ? 65 - v.leadingZeroBitCount : 65 - (~v).leadingZeroBitCount
    }

    /// Finds the cheapest partition order / parameters. Returns nil if a residual does not fit 32 bits
    /// (the format's limit), in which case this predictor is not used.
    func planResidual(_ r: [Int64], blockSize n: Int, order: Int) -> ResidualPlan? {
        // Finest usable partition order: divides the block and leaves the first partition non-empty.
        var top = 0
        while top < maxPartitionOrder && n % (1 << (top + 1)) == 0 && (n >> (top + 1)) > order { top += 1 }
        let parts = 1 << top
        let psize = n >> top
        var maxU: UInt64 = 0
        var us = [UInt64](repeating: 0, count: r.count)
        for (i, v) in r.enumerated() {
            if v > Int64(Int32.max) || v < Int64(Int32.min) { return nil }
            let u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
            us[i] = u
            maxU = max(maxU, u)
        }
        let kMax = min(30, max(0, 64 - maxU.leadingZeroBitCount))
        // cost[p][k] = exact Rice bits of the values in finest partition p with parameter k.
        var cost = [[Int]](repeating: [Int](repeating: 0, count: kMax + 1), count: parts)
        var escBits = [Int](repeating: 0, count: parts)
        var counts = [Int](repeating: 0, count: parts)
        var i = 0
        for p in 0..<parts {
            let cnt = p == 0 ? psize - order : psize
            counts[p] = cnt
            var sums = [Int](repeating: 0, count: kMax + 1)
            var eb = 0
            for j in 0..<cnt {
                let u = us[i + j]
                for k in 0...kMax { sums[k] &+= Int(u >> UInt64(k)) }
                let v = r[i + j]
                if v != 0 { eb = max(eb, FLACSubframeEncoder.signedBits(v)) }
            }
            for k in 0...kMax { cost[p][k] = sums[k] + cnt * (k + 1) }
            escBits[p] = eb
            i += cnt
        }
        var best: ResidualPlan?
        var level = top
        while true {
            for (paramBits, kLimit) in [(4, 14), (5, 30)] {
                var total = 2 + 4
                var params = [Int](), escapes = [Int]()
                for p in 0..<cost.count {
                    var bk = 0, bc = Int.max
                    for k in 0...min(kLimit, kMax) where cost[p][k] < bc { bc = cost[p][k]; bk = k }
                    let esc = escBits[p] > 31 ? Int.max / 2 : 5 + counts[p] * escBits[p]  // width field is 5 bits
                    if esc < bc {
                        total += paramBits + esc; params.append(0); escapes.append(escBits[p])
                    } else {
                        total += paramBits + bc; params.append(bk); escapes.append(-1)
                    }
                }
                if best == nil || total < best!.bits {
                    best = ResidualPlan(parameterBits: paramBits, partitionOrder: level, parameters: params, escapeBits: escapes, bits: total)
                }
            }
            if level == 0 { break }
            // Merge pairs of partitions: costs add for equal k, escape width is the max.
            var merged = [[Int]](), mEsc = [Int](), mCounts = [Int]()
            for p in stride(from: 0, to: cost.count, by: 2) {
                merged.append(zip(cost[p], cost[p + 1]).map { $0 + $1 })
                mEsc.append(max(escBits[p], escBits[p + 1]))
                mCounts.append(counts[p] + counts[p + 1])
            }
            cost = merged; escBits = mEsc; counts = mCounts
            level -= 1
        }
        return best
    }

    /// Writes the planned subframe for `x`.
    func write(_ plan: Plan, _ x: [Int32], bps: Int, to w: inout BitWriter) {
        let typeCode: UInt32
        switch plan.kind {
        case .constant: typeCode = 0
        case .verbatim: typeCode = 1
        case .fixed(let order): typeCode = 8 + UInt32(order)
        }
        w.write(typeCode << 1 | (plan.wasted > 0 ? 1 : 0), 8)
        if plan.wasted > 0 { w.writeUnary(plan.wasted - 1) }
        let b = bps - plan.wasted
        let y = plan.wasted > 0 ? x.map { $0 >> Int32(plan.wasted) } : x
        switch plan.kind {
        case .constant:
            w.writeSigned(Int64(x[0]), bps)
        case .verbatim:
            for v in y { w.writeSigned(Int64(v), b) }
        case .fixed(let order):
            for i in 0..<order { w.writeSigned(Int64(y[i]), b) }
            let r = FLACSubframeEncoder.fixedResidual(y, order: order)
            writeResidual(plan.residual!, r, blockSize: x.count, order: order, to: &w)
        }
    }

    private func writeResidual(_ rp: ResidualPlan, _ r: [Int64], blockSize n: Int, order: Int, to w: inout BitWriter) {
        w.write(rp.parameterBits == 4 ? 0 : 1, 2)
        w.write(UInt32(rp.partitionOrder), 4)
        let psize = n >> rp.partitionOrder
        let escape = UInt32(rp.parameterBits == 4 ? 15 : 31)
        var i = 0
        for p in 0..<(1 << rp.partitionOrder) {
            let cnt = p == 0 ? psize - order : psize
            if rp.escapeBits[p] >= 0 {
                w.write(escape, rp.parameterBits)
                w.write(UInt32(rp.escapeBits[p]), 5)
                if rp.escapeBits[p] > 0 { for j in 0..<cnt { w.writeSigned(r[i + j], rp.escapeBits[p]) } }
            } else {
                let k = rp.parameters[p]
                w.write(UInt32(k), rp.parameterBits)
                for j in 0..<cnt {
                    let v = r[i + j]
                    let u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
                    w.writeUnary(Int(u >> UInt64(k)))
                    if k > 0 { w.write(UInt32(truncatingIfNeeded: u), k) }
                }
            }
            i += cnt
        }
    }
}
