/// Partitioned Rice residual decoding (RFC 9639 §9.2.7).
extension BitReader {
    /// Decodes the residual of a subframe with `blockSize` samples and predictor order `order`
    /// into `out[order ..< blockSize]`.
    mutating func readResidual(into out: UnsafeMutablePointer<Int32>, blockSize: Int, order: Int) throws {
        let method = try read(2)
        if method > 1 { throw FLACFormatError("reserved residual coding method \(method)", at: fileOffset + bytePosition) }
        let paramBits = method == 0 ? 4 : 5
        let escape = UInt32(method == 0 ? 15 : 31)
        let partitionOrder = Int(try read(4))
        let partitionSize = blockSize >> partitionOrder
        if partitionSize << partitionOrder != blockSize || partitionSize < order {
            throw FLACFormatError("residual partition order \(partitionOrder) does not fit block size \(blockSize) with predictor order \(order)",
                                  at: fileOffset + bytePosition)
        }
        var i = order
        for part in 0..<(1 << partitionOrder) {
            let n = part == 0 ? partitionSize - order : partitionSize
            let k = try read(paramBits)
            if k == escape {
                let bits = Int(try read(5))
                if bits == 0 {
                    (out + i).initialize(repeating: 0, count: n)
                } else {
                    for j in 0..<n { out[i + j] = try readSigned(bits) }
                }
            } else {
                try readRice(into: out + i, count: n, parameter: Int(k))
            }
            i += n
        }
    }

    /// Decodes `count` Rice-coded signed values with parameter `k` (0...30).
    /// Fast path: unary prefix, terminator and `k` low bits all inside the 64-bit cache.
    @inline(__always)
    mutating func readRice(into out: UnsafeMutablePointer<Int32>, count: Int, parameter k: Int) throws {
        var cache = self.cache
        var avail = self.avail
        var pos = self.pos
        let end = self.count
        let base = self.base
        let kk = UInt64(k)
        let kPlus1 = UInt64(k &+ 1)
        let topShift = UInt64(63 &- k)
        let marker = UInt64(1) &<< kk
        var i = 0
        while i < count {
            if avail < 32 {
                if pos &+ 8 <= end {
                    let word = UInt64(bigEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
                    cache |= word &>> UInt64(avail)
                    let bytes = (63 &- avail) &>> 3
                    pos &+= bytes
                    avail &+= bytes &<< 3
                } else {
                    self.cache = cache; self.avail = avail; self.pos = pos
                    refillTail()
                    cache = self.cache; avail = self.avail; pos = self.pos
                }
            }
            let lz = cache.leadingZeroBitCount
            let total = lz &+ k &+ 1
            if total <= avail {
                let t = cache &<< UInt64(lz)
                let u = (UInt64(lz) &<< kk) | ((t &>> topShift) ^ marker)
                cache = t &<< kPlus1
                avail &-= total
                out[i] = Int32(truncatingIfNeeded: (u &>> 1) ^ (0 &- (u & 1)))
                i &+= 1
            } else {
                // Long unary run or end of data: the general path.
                self.cache = cache; self.avail = avail; self.pos = pos
                let q = try readUnary(limit: 1 << 32)
                let low = try read(k)
                let u = (UInt64(q) &<< kk) | UInt64(low)
                out[i] = Int32(truncatingIfNeeded: (u &>> 1) ^ (0 &- (u & 1)))
                i &+= 1
                cache = self.cache; avail = self.avail; pos = self.pos
            }
        }
        self.cache = cache; self.avail = avail; self.pos = pos
    }
}
