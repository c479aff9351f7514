import Foundation
import EngramCore

/// FLAC decoder (RFC 9639): everything the reference encoder writes — CONSTANT, VERBATIM, FIXED and
/// LPC (orders up to 32) subframes, Rice/Rice2 residuals with escape codes, wasted bits, independent
/// and left/right/mid side stereo, fixed and variable block sizes, 4–32 bits per sample (32-bit only
/// without side channels), CRC-8/CRC-16 checks and optional MD5 verification.
///
/// One instance reuses its scratch buffers across files; it is not thread-safe (use one per thread,
/// see `FLACDecoder.decodeConcurrently`). Errors are `EngramError(path, "… at byte offset N")`.
public final class FLACDecoder {
    /// Check the decoded samples against the STREAMINFO MD5 (when the encoder stored one).
    public var verifyMD5: Bool

    private var scratch: UnsafeMutablePointer<Int32>
    private var scratchFrames: Int
    private var scratchChannels: Int
    private let coefScratch: UnsafeMutablePointer<Int32>
    private var md5Bytes: [UInt8] = []
    /// When non-nil, the byte offset of every decoded frame is appended (for tests and tools).
    var recordedFrameOffsets: [Int]?

    public init(verifyMD5: Bool = false) {
        self.verifyMD5 = verifyMD5
        scratchFrames = 4096
        scratchChannels = 2
        scratch = .allocate(capacity: scratchFrames * scratchChannels)
        coefScratch = .allocate(capacity: 32)
    }

    deinit {
        scratch.deallocate()
        coefScratch.deallocate()
    }

    // MARK: - Public entry points

    /// Decodes a FLAC file to planar integer PCM.
    public func decode(contentsOf url: URL) throws -> PCMAudio {
        try decode(data: try readFile(url), path: url.path)
    }

    /// Decodes FLAC bytes to planar integer PCM; `path` names the source in errors.
    public func decode(data: Data, path: String = "<memory>") throws -> PCMAudio {
        var chans = [[Int32]]()
        let info = try decodeFrames(data, path: path) { info, block, n in
            if chans.isEmpty {
                chans = (0..<info.channels).map { _ in
                    var a = [Int32]()
                    a.reserveCapacity(Self.plausibleSamples(info, bytes: data.count, first: n))
                    return a
                }
            }
            for c in 0..<info.channels { chans[c].append(contentsOf: UnsafeBufferPointer(start: block[c], count: n)) }
        }
        if chans.isEmpty { chans = Array(repeating: [], count: info.channels) }
        return PCMAudio(channels: chans, sampleRate: info.sampleRate, bitsPerSample: info.bitsPerSample)
    }

    /// Samples per channel to reserve up front: STREAMINFO's total, but no more than 4 per byte of
    /// input (a header is untrusted: a 100-byte file may claim billions of samples — found by
    /// libFuzzer as a 17 GB allocation). Longer streams simply grow.
    static func plausibleSamples(_ info: FLACStreamInfo, bytes: Int, first n: Int) -> Int {
        max(n, min(info.totalSamples, 4 * bytes))
    }

    /// Fast path: decodes straight to mono Float32 in [-1, 1] (`sample / 2^(bits−1)`, channels averaged),
    /// without materialising integer channel arrays.
    public func decodeMonoFloat(contentsOf url: URL) throws -> (samples: [Float], sampleRate: Int) {
        try decodeMonoFloat(data: try readFile(url), path: url.path)
    }

    public func decodeMonoFloat(data: Data, path: String = "<memory>") throws -> (samples: [Float], sampleRate: Int) {
        var out = [Float]()
        let info = try decodeFrames(data, path: path) { info, block, n in
            if out.isEmpty { out.reserveCapacity(Self.plausibleSamples(info, bytes: data.count, first: n)) }
            let scale = 1 / Float(sign: .plus, exponent: info.bitsPerSample - 1, significand: 1)
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: n))
            out.withUnsafeMutableBufferPointer { o in
                let dst = o.baseAddress! + start
                if info.channels == 1 {
                    let s = block[0]
                    for i in 0..<n { dst[i] = Float(s[i]) * scale }
                } else if info.channels == 2 {
                    let a = block[0], b = block[1]
                    for i in 0..<n { dst[i] = (Float(a[i]) * scale + Float(b[i]) * scale) * 0.5 }
                } else {
                    let nc = Float(info.channels)
                    for i in 0..<n {
                        var acc: Float = 0
                        for c in 0..<info.channels { acc += Float(block[c][i]) * scale }
                        dst[i] = acc / nc
                    }
                }
            }
        }
        return (out, info.sampleRate)
    }

    /// Convenience: decode with a fresh decoder.
    public static func decode(contentsOf url: URL, verifyMD5: Bool = false) throws -> PCMAudio {
        try FLACDecoder(verifyMD5: verifyMD5).decode(contentsOf: url)
    }

    // MARK: - Frame loop

    private func readFile(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw EngramError(url.path, "cannot read file: \(error.localizedDescription)")
        }
    }

    /// Decodes every frame, handing each block to `sink(streamInfo, channelPointers, blockSize)`.
    /// The pointers are valid only during the call. Returns the STREAMINFO.
    @discardableResult
    public func decodeFrames(_ data: Data, path: String,
                             sink: (FLACStreamInfo, UnsafePointer<UnsafeMutablePointer<Int32>>, Int) throws -> Void) throws -> FLACStreamInfo {
        do {
            return try data.withUnsafeBytes { raw -> FLACStreamInfo in
                guard let base = raw.bindMemory(to: UInt8.self).baseAddress, raw.count > 0 else {
                    throw FLACFormatError("empty file", at: 0)
                }
                return try decodeFrames(base, count: raw.count, sink: sink)
            }
        } catch let e as FLACFormatError {
            throw e.engramError(path: path)
        }
    }

    private func ensureScratch(channels: Int, frames: Int) {
        if channels <= scratchChannels && frames <= scratchFrames { return }
        scratch.deallocate()
        scratchChannels = max(channels, scratchChannels)
        scratchFrames = max(frames, scratchFrames)
        scratch = .allocate(capacity: scratchChannels * scratchFrames)
    }

    private func decodeFrames(_ p: UnsafePointer<UInt8>, count: Int,
                              sink: (FLACStreamInfo, UnsafePointer<UnsafeMutablePointer<Int32>>, Int) throws -> Void) throws -> FLACStreamInfo {
        let meta = try FLACMetadataParser.parse(p, count: count)
        let info = meta.streamInfo
        let nc = info.channels
        ensureScratch(channels: nc, frames: info.maxBlockSize)
        let stride = scratchFrames
        var pointers = (0..<nc).map { scratch + $0 * stride }
        let checkMD5 = verifyMD5 && info.hasMD5
        var md5 = MD5()
        let sampleBytes = (info.bitsPerSample + 7) / 8

        var offset = meta.firstFrameOffset
        var decoded = 0
        var frameIndex: UInt64 = 0
        var reader = BitReader(p, count: count)
        while true {
            if info.totalSamples > 0 && decoded >= info.totalSamples { break }
            if offset >= count {
                if info.totalSamples > 0 {
                    throw FLACFormatError("truncated stream: ends after \(decoded) of \(info.totalSamples) samples", at: count)
                }
                break
            }
            let frameStart = offset
            recordedFrameOffsets?.append(frameStart)
            let header = try FLACFrameHeader.parse(p + offset, count: count - offset, offset: offset, info: info)
            try validate(header, info: info, frameStart: frameStart, frameIndex: frameIndex, decoded: decoded)
            reader.pos = offset + header.byteCount
            reader.cache = 0
            reader.avail = 0
            let n = header.blockSize
            let side = header.channelAssignment.sideChannel
            for c in 0..<nc {
                let bits = header.bitsPerSample + (c == side ? 1 : 0)
                try FLACSubframe.decode(&reader, into: pointers[c], blockSize: n, bitsPerSample: bits, coefScratch: coefScratch)
            }
            FLACStereo.decorrelate(header.channelAssignment, pointers, count: n)
            _ = reader.alignToByte()
            let crcStored = try reader.read(16)
            let frameEnd = reader.bytePosition
            let crc = FLACCRC.crc16(p + frameStart, frameEnd - 2 - frameStart)
            if UInt32(crc) != crcStored {
                throw FLACFormatError("frame CRC-16 mismatch (stored 0x\(String(crcStored, radix: 16)), computed 0x\(String(crc, radix: 16))) in frame \(frameIndex) starting", at: frameStart)
            }
            if checkMD5 { updateMD5(&md5, pointers, channels: nc, count: n, sampleBytes: sampleBytes) }
            try pointers.withUnsafeMutableBufferPointer { try sink(info, UnsafePointer($0.baseAddress!), n) }
            decoded += n
            frameIndex += 1
            offset = frameEnd
        }
        if checkMD5 {
            let digest = md5.finalize()
            if digest != info.md5 {
                throw FLACFormatError("MD5 of decoded samples \(hexString(digest)) differs from STREAMINFO \(hexString(info.md5))", at: 26 + FLACMetadataParser.id3v2Size(p, count: count))
            }
        }
        return info
    }

    private func validate(_ h: FLACFrameHeader, info: FLACStreamInfo, frameStart: Int, frameIndex: UInt64, decoded: Int) throws {
        if h.channelAssignment.channelCount != info.channels {
            throw FLACFormatError("frame has \(h.channelAssignment.channelCount) channels, STREAMINFO says \(info.channels)", at: frameStart)
        }
        if h.bitsPerSample != info.bitsPerSample {
            throw FLACFormatError("frame has \(h.bitsPerSample) bits per sample, STREAMINFO says \(info.bitsPerSample)", at: frameStart)
        }
        if h.sampleRate != info.sampleRate {
            throw FLACFormatError("frame sample rate \(h.sampleRate) differs from STREAMINFO \(info.sampleRate)", at: frameStart)
        }
        if h.blockSize > info.maxBlockSize {
            throw FLACFormatError("frame block size \(h.blockSize) exceeds STREAMINFO maximum \(info.maxBlockSize)", at: frameStart)
        }
        if h.bitsPerSample == 32 && h.channelAssignment.sideChannel >= 0 {
            throw FLACFormatError("32-bit stereo with a 33-bit side channel is not supported", at: frameStart)
        }
        if info.totalSamples > 0 && decoded + h.blockSize > info.totalSamples {
            throw FLACFormatError("frame runs past the STREAMINFO total of \(info.totalSamples) samples", at: frameStart)
        }
        let expected = h.variableBlockSize ? UInt64(decoded) : frameIndex
        if h.codedNumber != expected {
            let what = h.variableBlockSize ? "sample number" : "frame number"
            throw FLACFormatError("unexpected \(what) \(h.codedNumber), expected \(expected)", at: frameStart)
        }
    }

    /// Feeds one block to the MD5: interleaved, little-endian, `sampleBytes` bytes per sample.
    private func updateMD5(_ md5: inout MD5, _ ch: [UnsafeMutablePointer<Int32>], channels nc: Int, count n: Int, sampleBytes: Int) {
        let total = n * nc * sampleBytes
        if md5Bytes.count < total { md5Bytes = [UInt8](repeating: 0, count: total) }
        md5Bytes.withUnsafeMutableBytes { b in
            let out = b.baseAddress!
            if sampleBytes == 2 && nc <= 2 {
                if nc == 1 {
                    let s = ch[0]
                    for t in 0..<n { out.storeBytes(of: UInt16(truncatingIfNeeded: s[t]).littleEndian, toByteOffset: 2 * t, as: UInt16.self) }
                } else {
                    let l = ch[0], r = ch[1]
                    for t in 0..<n {
                        let v = UInt32(UInt16(truncatingIfNeeded: l[t])) | UInt32(UInt16(truncatingIfNeeded: r[t])) << 16
                        out.storeBytes(of: v.littleEndian, toByteOffset: 4 * t, as: UInt32.self)
                    }
                }
            } else {
                let o = out.assumingMemoryBound(to: UInt8.self)
                var k = 0
                for t in 0..<n {
                    for c in 0..<nc {
                        let v = UInt32(bitPattern: ch[c][t])
                        for j in 0..<sampleBytes { o[k + j] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(j))) }
                        k += sampleBytes
                    }
                }
            }
            md5.update(UnsafeRawPointer(out), count: total)
        }
    }
}

func hexString(_ bytes: [UInt8]) -> String { bytes.map { hex($0) }.joined().lowercased() }

/// Inter-channel decorrelation (RFC 9639 §4.2).
enum FLACStereo {
    static func decorrelate(_ a: FLACChannelAssignment, _ ch: [UnsafeMutablePointer<Int32>], count n: Int) {
        switch a {
        case .independent:
            return
        case .leftSide:
            let l = ch[0], s = ch[1]
            for i in 0..<n { s[i] = l[i] &- s[i] }
        case .sideRight:
            let s = ch[0], r = ch[1]
            for i in 0..<n { s[i] = s[i] &+ r[i] }
        case .midSide:
            let m = ch[0], s = ch[1]
            for i in 0..<n {
                let side = s[i]
                let mid = (m[i] &<< 1) | (side & 1)
                m[i] = (mid &+ side) &>> 1
                s[i] = (mid &- side) &>> 1
            }
        }
    }
}
