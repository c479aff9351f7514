import Foundation
import EngramCore

/// How a WAV file stores its samples.
public enum WAVSampleFormat: Equatable, Sendable {
    /// Signed integer PCM with `bits` significant bits (8-bit WAV is unsigned on disk), stored in
    /// ceil(bits/8) bytes; bits that are not a multiple of 8 use WAVE_FORMAT_EXTENSIBLE.
    case int(bits: Int)
    /// IEEE float32.
    case float32
}

/// Decoded audio: integer PCM (FLAC, integer WAV) or floating point (float WAV).
public enum DecodedAudio: Equatable, Sendable {
    case pcm(PCMAudio)
    case float(FloatAudio)

    public var sampleRate: Int {
        switch self { case .pcm(let a): return a.sampleRate; case .float(let a): return a.sampleRate }
    }

    public var channelCount: Int {
        switch self { case .pcm(let a): return a.channelCount; case .float(let a): return a.channelCount }
    }

    /// As floats in [-1, 1] (integers divided by 2^(bits−1)).
    public var floatAudio: FloatAudio {
        switch self {
        case .pcm(let a): return FloatAudio(channels: a.floatChannels(), sampleRate: a.sampleRate)
        case .float(let a): return a
        }
    }
}

/// RIFF/WAVE reading and writing: PCM 8/16/24/32-bit (any valid-bit count via WAVE_FORMAT_EXTENSIBLE),
/// IEEE float32 and float64 (read), float32 (write). Errors name the file and the byte offset.
public enum WAVFile {
    static let pcmGUIDTail: [UInt8] = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]

    public static func read(contentsOf url: URL) throws -> DecodedAudio {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EngramError(url.path, "cannot read file: \(error.localizedDescription)")
        }
        return try read(data: data, path: url.path)
    }

    public static func read(data: Data, path: String = "<memory>") throws -> DecodedAudio {
        func fail(_ msg: String, _ off: Int) -> EngramError { EngramError(path, "\(msg) at byte offset \(off)") }
        let b = [UInt8](data)
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        guard b.count >= 12 else { throw fail("truncated: too short for a RIFF/WAVE header (\(b.count) bytes)", b.count) }
        guard b[0..<4].elementsEqual("RIFF".utf8), b[8..<12].elementsEqual("WAVE".utf8) else {
            throw fail("not a WAV file: missing \"RIFF\"…\"WAVE\" signature", 0)
        }
        var off = 12
        var fmt: (tag: Int, channels: Int, rate: Int, blockAlign: Int, container: Int, valid: Int)?
        var dataRange: Range<Int>?
        while off + 8 <= b.count && dataRange == nil {
            let id = String(decoding: b[off..<(off + 4)], as: UTF8.self)
            let size = u32(off + 4)
            let body = off + 8
            if id == "fmt " {
                guard size >= 16 else { throw fail("fmt chunk too short (\(size) bytes)", off) }
                guard body + size <= b.count else { throw fail("truncated: fmt chunk runs past the end", b.count) }
                var tag = u16(body)
                let channels = u16(body + 2), rate = u32(body + 4), blockAlign = u16(body + 12), container = u16(body + 14)
                var valid = container
                if tag == 0xFFFE {
                    guard size >= 40 else { throw fail("WAVE_FORMAT_EXTENSIBLE fmt chunk too short (\(size) bytes)", off) }
                    valid = u16(body + 18)
                    let sub = Array(b[(body + 24)..<(body + 40)])
                    guard Array(sub[2...]) == pcmGUIDTail else { throw fail("unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID", body + 24) }
                    tag = Int(sub[0]) | Int(sub[1]) << 8
                    if valid == 0 { valid = container }
                }
                fmt = (tag, channels, rate, blockAlign, container, valid)
            } else if id == "data" {
                guard fmt != nil else { throw fail("data chunk before fmt chunk", off) }
                guard body + size <= b.count else {
                    throw fail("truncated: data chunk says \(size) bytes, only \(b.count - body) present", b.count)
                }
                dataRange = body..<(body + size)
            }
            off = body + size + (size & 1)
        }
        guard let f = fmt else { throw fail("no fmt chunk", off) }
        guard let range = dataRange else { throw fail("no data chunk", b.count) }
        guard f.channels > 0 else { throw fail("channel count 0", 22) }
        guard f.rate > 0 else { throw fail("sample rate 0", 24) }
        let bytesPer = f.container / 8
        guard f.container % 8 == 0, bytesPer > 0, f.blockAlign == bytesPer * f.channels else {
            throw fail("inconsistent fmt: \(f.container) bits, \(f.channels) channels, block align \(f.blockAlign)", 12)
        }
        guard range.count % f.blockAlign == 0 else {
            throw fail("data chunk of \(range.count) bytes is not a whole number of \(f.blockAlign)-byte frames", range.lowerBound - 8)
        }
        let n = range.count / f.blockAlign
        let nc = f.channels
        let base = range.lowerBound
        switch f.tag {
        case 1:
            guard [8, 16, 24, 32].contains(f.container), (1...f.container).contains(f.valid) else {
                throw fail("unsupported PCM sample size \(f.container) bits (\(f.valid) valid)", 34)
            }
            let shift = Int32(f.container - f.valid)
            var chans = [[Int32]](repeating: [Int32](repeating: 0, count: n), count: nc)
            for c in 0..<nc {
                chans[c].withUnsafeMutableBufferPointer { out in
                    for t in 0..<n {
                        let p = base + (t * nc + c) * bytesPer
                        var v: Int32
                        switch bytesPer {
                        case 1: v = Int32(b[p]) - 128
                        case 2: v = Int32(Int16(bitPattern: UInt16(b[p]) | UInt16(b[p + 1]) << 8))
                        case 3: v = Int32(bitPattern: UInt32(b[p]) << 8 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 24) >> 8
                        default: v = Int32(bitPattern: UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24)
                        }
                        out[t] = v >> shift
                    }
                }
            }
            return .pcm(PCMAudio(channels: chans, sampleRate: f.rate, bitsPerSample: f.valid))
        case 3:
            guard f.container == 32 || f.container == 64 else { throw fail("unsupported float sample size \(f.container) bits", 34) }
            var chans = [[Float]](repeating: [Float](repeating: 0, count: n), count: nc)
            for c in 0..<nc {
                for t in 0..<n {
                    let p = base + (t * nc + c) * bytesPer
                    if bytesPer == 4 {
                        chans[c][t] = Float(bitPattern: UInt32(u32(p)))
                    } else {
                        chans[c][t] = Float(Double(bitPattern: UInt64(u32(p)) | UInt64(u32(p + 4)) << 32))
                    }
                }
            }
            return .float(FloatAudio(channels: chans, sampleRate: f.rate))
        default:
            throw fail("unsupported WAV format tag 0x\(String(f.tag, radix: 16)) (PCM, IEEE float and EXTENSIBLE are supported)", 20)
        }
    }

    // MARK: - Writing

    /// RIFF/WAVE bytes for integer PCM (container ceil(bits/8) bytes; EXTENSIBLE when bits are not a
    /// multiple of 8 or there are more than 2 channels).
    public static func encode(_ audio: PCMAudio) throws -> Data {
        let bits = audio.bitsPerSample
        guard (1...32).contains(bits) else { throw EngramError("WAV writer", "bits per sample \(bits) not in 1...32") }
        let container = (bits + 7) / 8 * 8
        let nc = audio.channelCount, n = audio.frameCount
        guard nc > 0 else { throw EngramError("WAV writer", "no channels") }
        let shift = Int32(container - bits)
        var body = [UInt8]()
        body.reserveCapacity(n * nc * container / 8)
        for t in 0..<n {
            for c in 0..<nc {
                let v = audio.channels[c][t] << shift
                switch container {
                case 8: body.append(UInt8(truncatingIfNeeded: v + 128))
                case 16: appendLE(&body, UInt32(bitPattern: v), 2)
                case 24: appendLE(&body, UInt32(bitPattern: v), 3)
                default: appendLE(&body, UInt32(bitPattern: v), 4)
                }
            }
        }
        return riff(formatTag: 1, channels: nc, rate: audio.sampleRate, container: container, valid: bits, body: body)
    }

    /// RIFF/WAVE bytes for float audio, as float32 or as integer PCM (`round(x · 2^(bits−1))`, clipped).
    public static func encode(_ audio: FloatAudio, format: WAVSampleFormat = .float32) throws -> Data {
        let nc = audio.channelCount, n = audio.frameCount
        guard nc > 0 else { throw EngramError("WAV writer", "no channels") }
        switch format {
        case .float32:
            var body = [UInt8]()
            body.reserveCapacity(n * nc * 4)
            for t in 0..<n { for c in 0..<nc { appendLE(&body, audio.channels[c][t].bitPattern, 4) } }
            return riff(formatTag: 3, channels: nc, rate: audio.sampleRate, container: 32, valid: 32, body: body)
        case .int(let bits):
            guard (2...32).contains(bits) else { throw EngramError("WAV writer", "bits per sample \(bits) not in 2...32") }
            let scale = Double(sign: .plus, exponent: bits - 1, significand: 1)
            let lo = -scale, hi = scale - 1
            let chans = audio.channels.map { ch in ch.map { x -> Int32 in
                let v = (Double(x) * scale).rounded()
                return Int32(v.isNaN ? 0 : min(hi, max(lo, v)))
            } }
            return try encode(PCMAudio(channels: chans, sampleRate: audio.sampleRate, bitsPerSample: bits))
        }
    }

    /// Writes integer PCM atomically.
    public static func write(_ audio: PCMAudio, to url: URL) throws {
        try AtomicFile.write(try encode(audio), to: url)
    }

    /// Writes float audio atomically.
    public static func write(_ audio: FloatAudio, to url: URL, format: WAVSampleFormat = .float32) throws {
        try AtomicFile.write(try encode(audio, format: format), to: url)
    }

    private static func appendLE(_ out: inout [UInt8], _ v: UInt32, _ bytes: Int) {
        for j in 0..<bytes { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(j)))) }
    }

    private static func riff(formatTag: Int, channels: Int, rate: Int, container: Int, valid: Int, body: [UInt8]) -> Data {
        let extensible = valid != container || channels > 2
        var fmt = [UInt8]()
        appendLE(&fmt, UInt32(extensible ? 0xFFFE : formatTag), 2)
        appendLE(&fmt, UInt32(channels), 2)
        appendLE(&fmt, UInt32(rate), 4)
        appendLE(&fmt, UInt32(rate * channels * container / 8), 4)
        appendLE(&fmt, UInt32(channels * container / 8), 2)
        appendLE(&fmt, UInt32(container), 2)
        if extensible {
            appendLE(&fmt, 22, 2)
            appendLE(&fmt, UInt32(valid), 2)
            appendLE(&fmt, channels <= 32 ? UInt32((UInt64(1) << UInt64(channels)) - 1) : 0, 4)
            appendLE(&fmt, UInt32(formatTag), 2)
            fmt += pcmGUIDTail
        }
        var out = [UInt8]()
        out += Array("RIFF".utf8)
        let dataPad = body.count & 1
        appendLE(&out, UInt32(truncatingIfNeeded: 4 + 8 + fmt.count + 8 + body.count + dataPad), 4)
        out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); appendLE(&out, UInt32(fmt.count), 4); out += fmt
        out += Array("data".utf8); appendLE(&out, UInt32(truncatingIfNeeded: body.count), 4); out += body
        if dataPad == 1 { out.append(0) }
        return Data(out)
    }
}
