/// Subframe decoding (RFC 9639 §9.2): CONSTANT, VERBATIM, FIXED (orders 0–4) and LPC (orders 1–32),
/// with wasted bits.
enum FLACSubframe {
    /// Decodes one subframe of `blockSize` samples coded with `bitsPerSample` bits (one more for a side
    /// channel; at most 32) into `out`. `coefScratch` holds at least 32 values.
    static func decode(_ r: inout BitReader, into out: UnsafeMutablePointer<Int32>, blockSize: Int,
                       bitsPerSample: Int, coefScratch: UnsafeMutablePointer<Int32>) throws {
        let start = r.fileOffset + r.bytePosition
        let header = try r.read(8)
        if header & 0x80 != 0 { throw FLACFormatError("subframe padding bit set", at: start) }
        let type = Int(header >> 1)
        var wasted = 0
        if header & 1 != 0 {
            wasted = try r.readUnary(limit: 32) + 1
            if wasted >= bitsPerSample {
                throw FLACFormatError("subframe has \(wasted) wasted bits of \(bitsPerSample)", at: start)
            }
        }
        let bps = bitsPerSample - wasted
        switch type {
        case 0: // CONSTANT
            let v = try r.readSigned(bps)
            out.initialize(repeating: v, count: blockSize)
        case 1: // VERBATIM
            for i in 0..<blockSize { out[i] = try r.readSigned(bps) }
        case 8...12: // FIXED
            let order = type - 8
            if order > blockSize { throw FLACFormatError("fixed predictor order \(order) exceeds block size \(blockSize)", at: start) }
            for i in 0..<order { out[i] = try r.readSigned(bps) }
            try r.readResidual(into: out, blockSize: blockSize, order: order)
            FLACPrediction.restoreFixed(out, count: blockSize, order: order)
        case 32...63: // LPC
            let order = type - 31
            if order > blockSize { throw FLACFormatError("LPC order \(order) exceeds block size \(blockSize)", at: start) }
            for i in 0..<order { out[i] = try r.readSigned(bps) }
            let precision = Int(try r.read(4)) + 1
            if precision == 16 { throw FLACFormatError("invalid LPC coefficient precision code 15", at: r.fileOffset + r.bytePosition) }
            let shift = Int(try r.readSigned(5))
            if shift < 0 { throw FLACFormatError("negative LPC shift \(shift)", at: r.fileOffset + r.bytePosition) }
            for j in 0..<order { coefScratch[j] = try r.readSigned(precision) }
            try r.readResidual(into: out, blockSize: blockSize, order: order)
            FLACPrediction.restoreLPC(out, count: blockSize, coef: coefScratch, order: order, shift: shift)
        default:
            throw FLACFormatError("reserved subframe type \(type)", at: start)
        }
        if wasted > 0 {
            let w = Int32(wasted)
            for i in 0..<blockSize { out[i] = out[i] &<< w }
        }
    }
}
