import Foundation
import EngramCore

/// A simple, valid FLAC encoder (RFC 9639): per block and channel the cheapest of CONSTANT, VERBATIM
/// and FIXED order 0–4 subframes (sizes counted exactly), wasted-bit detection, partitioned Rice/Rice2
/// residuals with escape codes, and for stereo the cheapest of independent / left-side / side-right /
/// mid-side coding. Writes STREAMINFO with frame sizes and the MD5 of the samples. 4–24 bits, 1–8 channels.
/// No LPC, so files are larger than `flac -5`'s (typically by 5–15 % on speech).
public struct FLACEncoder {
    /// Samples per channel per frame (16...65535).
    public var blockSize: Int
    /// When set, frames use the variable block-size strategy with these sizes in turn (for testing).
    public var variableBlockSizes: [Int]?
    /// Largest residual partition order (0...15; 8 keeps files in the FLAC subset).
    public var maxPartitionOrder: Int
    /// Try left-side, side-right and mid-side coding for stereo.
    public var stereoDecorrelation: Bool

    public init(blockSize: Int = 4096, variableBlockSizes: [Int]? = nil, maxPartitionOrder: Int = 8, stereoDecorrelation: Bool = true) {
        self.blockSize = blockSize
        self.variableBlockSizes = variableBlockSizes
        self.maxPartitionOrder = maxPartitionOrder
        self.stereoDecorrelation = stereoDecorrelation
    }

    /// Encodes interleaved samples (`[t * channels + c]`, each within the signed `bitsPerSample` range)
    /// to a complete FLAC file with default settings.
    public static func encode(samples: [Int32], channels: Int, sampleRate: Int, bitsPerSample: Int) throws -> Data {
        try FLACEncoder().encode(samples: samples, channels: channels, sampleRate: sampleRate, bitsPerSample: bitsPerSample)
    }

    /// Encodes planar audio.
    public static func encode(_ audio: PCMAudio) throws -> Data {
        try FLACEncoder().encode(samples: audio.interleaved(), channels: audio.channelCount, sampleRate: audio.sampleRate, bitsPerSample: audio.bitsPerSample)
    }

    public func encode(samples: [Int32], channels: Int, sampleRate: Int, bitsPerSample bps: Int) throws -> Data {
        let place = "FLAC encoder"
        guard (1...8).contains(channels) else { throw EngramError(place, "channels \(channels) not in 1...8") }
        guard (4...24).contains(bps) else { throw EngramError(place, "bits per sample \(bps) not in 4...24") }
        guard (1...655_350).contains(sampleRate) else { throw EngramError(place, "sample rate \(sampleRate) not in 1...655350 Hz") }
        guard samples.count % channels == 0 else {
            throw EngramError(place, "\(samples.count) interleaved samples is not a multiple of \(channels) channels")
        }
        let sizes = variableBlockSizes ?? [blockSize]
        guard !sizes.isEmpty, sizes.allSatisfy({ (16...65535).contains($0) }) else {
            throw EngramError(place, "block sizes must be in 16...65535, got \(sizes)")
        }
        guard (0...15).contains(maxPartitionOrder) else { throw EngramError(place, "partition order \(maxPartitionOrder) not in 0...15") }
        let lo = -(Int32(1) << (bps - 1)), hi = (Int32(1) << (bps - 1)) - 1
        if let bad = samples.firstIndex(where: { $0 < lo || $0 > hi }) {
            throw EngramError(place, "sample \(bad) (channel \(bad % channels)) = \(samples[bad]) outside the \(bps)-bit range \(lo)...\(hi)")
        }
        let total = samples.count / channels
        guard total < 1 << 36 else { throw EngramError(place, "too many samples for STREAMINFO (\(total))") }
        let planar = PCMAudio(interleaved: samples, channelCount: channels, sampleRate: sampleRate, bitsPerSample: bps).channels

        var md5 = MD5()
        let sampleBytes = (bps + 7) / 8
        var md5Buffer = [UInt8](repeating: 0, count: 4096 * sampleBytes)
        var done = 0
        while done < samples.count {
            let m = min(4096, samples.count - done)
            md5Buffer.withUnsafeMutableBytes { out in
                samples.withUnsafeBufferPointer { src in
                    for i in 0..<m {
                        let u = UInt32(bitPattern: src[done + i])
                        for j in 0..<sampleBytes { out[i * sampleBytes + j] = UInt8(truncatingIfNeeded: u >> (8 * UInt32(j))) }
                    }
                }
                md5.update(UnsafeRawPointer(out.baseAddress!), count: m * sampleBytes)
            }
            done += m
        }

        var frames = [UInt8]()
        var minFrame = Int.max, maxFrame = 0
        var usedSizes = [Int]()
        var start = 0, frameNumber = 0
        let sub = FLACSubframeEncoder(maxPartitionOrder: maxPartitionOrder)
        while start < total {
            let n = min(sizes[frameNumber % sizes.count], total - start)
            let block = planar.map { Array($0[start..<(start + n)]) }
            let frame = encodeFrame(block, bps: bps, sampleRate: sampleRate,
                                    number: variableBlockSizes == nil ? frameNumber : start, variable: variableBlockSizes != nil, sub: sub)
            frames += frame
            minFrame = min(minFrame, frame.count); maxFrame = max(maxFrame, frame.count)
            usedSizes.append(n)
            start += n; frameNumber += 1
        }
        let minBlock: Int, maxBlock: Int
        if variableBlockSizes != nil && !usedSizes.isEmpty {
            minBlock = max(16, usedSizes.count > 1 ? usedSizes.dropLast().min()! : usedSizes[0])
            maxBlock = max(minBlock, usedSizes.max()!)
        } else {
            minBlock = blockSize; maxBlock = blockSize
        }
        let info = FLACStreamInfo(minBlockSize: minBlock, maxBlockSize: maxBlock,
                                  minFrameSize: frames.isEmpty ? 0 : minFrame, maxFrameSize: maxFrame,
                                  sampleRate: sampleRate, channels: channels, bitsPerSample: bps,
                                  totalSamples: total, md5: total > 0 ? md5.finalize() : [UInt8](repeating: 0, count: 16))
        var out = Data("fLaC".utf8)
        out.append(contentsOf: [0x80, 0, 0, UInt8(FLACStreamInfo.byteCount)]) // last block, STREAMINFO, length 34
        out.append(contentsOf: info.encoded())
        out.append(contentsOf: frames)
        return out
    }

    private func encodeFrame(_ ch: [[Int32]], bps: Int, sampleRate: Int, number: Int, variable: Bool, sub: FLACSubframeEncoder) -> [UInt8] {
        let n = ch[0].count
        // Choose the channel coding.
        var assignment = FLACChannelAssignment.independent(ch.count)
        var coded = ch
        var plans = ch.map { sub.plan($0, bps: bps) }
        if ch.count == 2 && stereoDecorrelation {
            let l = ch[0], r = ch[1]
            var side = [Int32](repeating: 0, count: n), mid = [Int32](repeating: 0, count: n)
            for i in 0..<n { side[i] = l[i] - r[i]; mid[i] = (l[i] + r[i]) >> 1 }
            let sp = sub.plan(side, bps: bps + 1), mp = sub.plan(mid, bps: bps)
            let options: [(FLACChannelAssignment, Int, [[Int32]], [FLACSubframeEncoder.Plan])] = [
                (.independent(2), plans[0].bits + plans[1].bits, [l, r], plans),
                (.leftSide, plans[0].bits + sp.bits, [l, side], [plans[0], sp]),
                (.sideRight, sp.bits + plans[1].bits, [side, r], [sp, plans[1]]),
                (.midSide, mp.bits + sp.bits, [mid, side], [mp, sp]),
            ]
            let best = options.min { $0.1 < $1.1 }!
            assignment = best.0; coded = best.2; plans = best.3
        }
        var w = BitWriter(capacity: n * ch.count * bps / 8 + 64)
        // Frame header (RFC 9639 §9.1).
        w.write(0xFFF8 | (variable ? 1 : 0), 16)
        let (bsCode, bsExtra) = FLACEncoder.blockSizeCode(n)
        let (srCode, srExtra) = FLACEncoder.sampleRateCode(sampleRate)
        w.write(UInt32(bsCode), 4)
        w.write(UInt32(srCode), 4)
        let chCode: Int
        switch assignment {
        case .independent(let c): chCode = c - 1
        case .leftSide: chCode = 8
        case .sideRight: chCode = 9
        case .midSide: chCode = 10
        }
        w.write(UInt32(chCode), 4)
        w.write(UInt32(FLACEncoder.sampleSizeCode(bps)), 3)
        w.write(0, 1)
        for b in FLACEncoder.codedNumber(UInt64(number)) { w.write(UInt32(b), 8) }
        if let (v, bits) = bsExtra { w.write(v, bits) }
        if let (v, bits) = srExtra { w.write(v, bits) }
        let crc8 = w.bytes.withUnsafeBufferPointer { FLACCRC.crc8($0.baseAddress!, $0.count) }
        w.write(UInt32(crc8), 8)
        let side = assignment.sideChannel
        for c in 0..<coded.count {
            sub.write(plans[c], coded[c], bps: bps + (c == side ? 1 : 0), to: &w)
        }
        w.alignToByte()
        let crc16 = w.bytes.withUnsafeBufferPointer { FLACCRC.crc16($0.baseAddress!, $0.count) }
        w.write(UInt32(crc16), 16)
        return w.bytes
    }

    static func blockSizeCode(_ n: Int) -> (Int, (UInt32, Int)?) {
        if n == 192 { return (1, nil) }
        for k in 0..<4 where n == 576 << k { return (2 + k, nil) }
        for k in 0..<8 where n == 256 << k { return (8 + k, nil) }
        if n <= 256 { return (6, (UInt32(n - 1), 8)) }
        return (7, (UInt32(n - 1), 16))
    }

    static func sampleRateCode(_ r: Int) -> (Int, (UInt32, Int)?) {
        let table = [88200: 1, 176400: 2, 192000: 3, 8000: 4, 16000: 5, 22050: 6, 24000: 7, 32000: 8, 44100: 9, 48000: 10, 96000: 11]
        if let c = table[r] { return (c, nil) }
        if r % 1000 == 0 && r / 1000 < 256 { return (12, (UInt32(r / 1000), 8)) }
        if r < 65536 { return (13, (UInt32(r), 16)) }
        if r % 10 == 0 && r / 10 < 65536 { return (14, (UInt32(r / 10), 16)) }
        return (0, nil) // from STREAMINFO
    }

    static func sampleSizeCode(_ bps: Int) -> Int {
        [8: 1, 12: 2, 16: 4, 20: 5, 24: 6, 32: 7][bps] ?? 0
    }

    /// The UTF-8-like coding of frame / sample numbers (up to 36 bits).
    static func codedNumber(_ v: UInt64) -> [UInt8] {
        if v < 0x80 { return [UInt8(v)] }
        var n = 2
        while n < 7 && v >= UInt64(1) << UInt64(5 * n + 1) { n += 1 }
        var out = [UInt8](repeating: 0, count: n)
        var x = v
        for i in stride(from: n - 1, through: 1, by: -1) { out[i] = 0x80 | UInt8(x & 0x3F); x >>= 6 }
        let lead: [Int: UInt8] = [2: 0xC0, 3: 0xE0, 4: 0xF0, 5: 0xF8, 6: 0xFC, 7: 0xFE]
        out[0] = lead[n]! | UInt8(x)
        return out
    }
}
