/// Chooses and writes one subframe (RFC 9639 §9.2): CONSTANT, VERBATIM or FIXED order 0–4, with
/// wasted bits and a partitioned Rice / Rice2 residual (escape-coded partitions where cheaper).
/// Partitioning and Rice parameters are chosen from estimates; the candidates' sizes are then counted
/// exactly, so the subframe kind written is the smallest of the candidates.
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

    /// Chooses the partition order and Rice parameters (libFLAC-style: from per-partition sums of the
    /// folded residuals, cost(k) ≈ count·(k+1) + sum >> k), escape-coding a partition where that is
    /// cheaper, then counts the chosen layout's size exactly. Returns nil if a residual does not fit
    /// 32 bits (the format's limit), in which case this predictor is not used.
    func planResidual(_ r: [Int64], blockSize n: Int, order: Int) -> ResidualPlan? {
        // Finest usable partition order: divides the block and leaves the first partition non-empty.
        var top = 0
        while top < maxPartitionOrder && n % (1 << (top + 1)) == 0 && (n >> (top + 1)) > order { top += 1 }
        let parts = 1 << top
        let psize = n >> top
        var sums = [UInt64](repeating: 0, count: parts)
        var escBits = [Int](repeating: 0, count: parts)
        var counts = [Int](repeating: 0, count: parts)
        let fits: Bool = r.withUnsafeBufferPointer { rb in
            var i = 0
            for p in 0..<parts {
                let cnt = p == 0 ? psize - order : psize
                var sum: UInt64 = 0
                var orAll: Int64 = 0
                for j in i..<(i + cnt) {
                    let v = rb[j]
                    if v > Int64(Int32.max) || v < Int64(Int32.min) { return false }
                    sum &+= UInt64(bitPattern: (v &<< 1) ^ (v &>> 63))
                    orAll |= v ^ (v &>> 63) // magnitude bits (v for v ≥ 0, ~v for v < 0)
                }
                sums[p] = sum
                counts[p] = cnt
                escBits[p] = orAll == 0 && sum == 0 ? 0 : 65 - orAll.leadingZeroBitCount
                i += cnt
            }
            return true
        }
        guard fits else { return nil }
        var best: ResidualPlan?
        var bestEstimate = Int.max
        var level = top
        while true {
            for (paramBits, kLimit) in [(4, 14), (5, 30)] {
                var estimate = 2 + 4
                var params = [Int](), escapes = [Int]()
                for p in 0..<sums.count {
                    let (k, cost) = FLACSubframeEncoder.bestRiceParameter(sum: sums[p], count: counts[p], limit: kLimit)
                    let esc = escBits[p] > 31 ? Int.max / 2 : 5 + counts[p] * escBits[p]  // width field is 5 bits
                    if esc < cost {
                        estimate += paramBits + esc; params.append(0); escapes.append(escBits[p])
                    } else {
                        estimate += paramBits + cost; params.append(k); escapes.append(-1)
                    }
                }
                if estimate < bestEstimate {
                    bestEstimate = estimate
                    best = ResidualPlan(parameterBits: paramBits, partitionOrder: level, parameters: params, escapeBits: escapes, bits: 0)
                }
            }
            if level == 0 { break }
            var mSums = [UInt64](), mEsc = [Int](), mCounts = [Int]()
            for p in stride(from: 0, to: sums.count, by: 2) {
                mSums.append(sums[p] &+ sums[p + 1])
                mEsc.append(max(escBits[p], escBits[p + 1]))
                mCounts.append(counts[p] + counts[p + 1])
            }
            sums = mSums; escBits = mEsc; counts = mCounts
            level -= 1
        }
        guard var plan = best else { return nil }
        plan.bits = exactBits(plan, r, blockSize: n, order: order)
        return plan
    }

    /// The Rice parameter (0...limit) minimising the estimated size count·(k+1) + sum >> k.
    static func bestRiceParameter(sum: UInt64, count: Int, limit: Int) -> (Int, Int) {
        if count == 0 { return (0, 0) }
        let mean = sum / UInt64(count)
        let guess = mean == 0 ? 0 : min(limit, 63 - mean.leadingZeroBitCount)
        var bestK = 0, bestCost = Int.max
        for k in max(0, guess - 1)...min(limit, guess + 1) {
            let cost = count * (k + 1) + Int(truncatingIfNeeded: sum >> UInt64(k))
            if cost < bestCost { bestCost = cost; bestK = k }
        }
        return (bestK, bestCost)
    }

    /// Exact size in bits of residual `r` written with `plan`.
    func exactBits(_ plan: ResidualPlan, _ r: [Int64], blockSize n: Int, order: Int) -> Int {
        let psize = n >> plan.partitionOrder
        var bits = 2 + 4
        r.withUnsafeBufferPointer { rb in
            var i = 0
            for p in 0..<(1 << plan.partitionOrder) {
                let cnt = p == 0 ? psize - order : psize
                bits += plan.parameterBits
                if plan.escapeBits[p] >= 0 {
                    bits += 5 + cnt * plan.escapeBits[p]
                } else {
                    let k = UInt64(plan.parameters[p])
                    var q = 0
                    for j in i..<(i + cnt) {
                        let v = rb[j]
                        q &+= Int(truncatingIfNeeded: UInt64(bitPattern: (v &<< 1) ^ (v &>> 63)) >> k)
                    }
                    bits += q + cnt * (Int(k) + 1)
                }
                i += cnt
            }
        }
        return bits
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
