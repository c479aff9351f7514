import Foundation

/// FLAC bytes for the demo corpus (mono, 16-bit). Interim: verbatim subframes in 4096-sample frames
/// (valid FLAC, uncompressed) until the project's FLAC encoder is available.
enum DemoFLAC {
    static func encode(_ samples: [Int32], sampleRate: Int) -> Data {
        let block = 4096
        var md5 = MD5()
        var pcm = [UInt8](); pcm.reserveCapacity(samples.count * 2)
        for s in samples { pcm.append(UInt8(truncatingIfNeeded: s)); pcm.append(UInt8(truncatingIfNeeded: s >> 8)) }
        md5.update(pcm)
        var frames = [UInt8]()
        var minFrame = Int.max, maxFrame = 0
        var start = 0, number = 0
        while start < samples.count {
            let n = min(block, samples.count - start)
            var f: [UInt8] = [0xFF, 0xF8, 0x70 | rateCode(sampleRate).code, 0x08]
            f += utf8Number(number)
            f += [UInt8((n - 1) >> 8), UInt8((n - 1) & 0xFF)]
            f += rateCode(sampleRate).extra
            f.append(f.withUnsafeBufferPointer { FLACCRC.crc8($0.baseAddress!, $0.count) })
            f.append(0x02) // verbatim subframe, no wasted bits
            for s in samples[start..<(start + n)] { f.append(UInt8(truncatingIfNeeded: s >> 8)); f.append(UInt8(truncatingIfNeeded: s)) }
            let crc = f.withUnsafeBufferPointer { FLACCRC.crc16($0.baseAddress!, $0.count) }
            f += [UInt8(crc >> 8), UInt8(crc & 0xFF)]
            minFrame = min(minFrame, f.count); maxFrame = max(maxFrame, f.count)
            frames += f
            start += n; number += 1
        }
        let info = FLACStreamInfo(minBlockSize: block, maxBlockSize: block, minFrameSize: minFrame == .max ? 0 : minFrame,
                                  maxFrameSize: maxFrame, sampleRate: sampleRate, channels: 1, bitsPerSample: 16,
                                  totalSamples: samples.count, md5: md5.finalize())
        var out: [UInt8] = Array("fLaC".utf8) + [0x80, 0, 0, 34]
        out += info.encoded()
        return Data(out + frames)
    }

    static func rateCode(_ sr: Int) -> (code: UInt8, extra: [UInt8]) {
        switch sr {
        case 8000: return (4, []); case 16000: return (5, []); case 22050: return (6, []); case 24000: return (7, [])
        case 32000: return (8, []); case 44100: return (9, []); case 48000: return (10, [])
        default: return (13, [UInt8(sr >> 8 & 0xFF), UInt8(sr & 0xFF)])
        }
    }

    static func utf8Number(_ v: Int) -> [UInt8] {
        if v < 0x80 { return [UInt8(v)] }
        if v < 0x800 { return [0xC0 | UInt8(v >> 6), 0x80 | UInt8(v & 0x3F)] }
        return [0xE0 | UInt8(v >> 12), 0x80 | UInt8(v >> 6 & 0x3F), 0x80 | UInt8(v & 0x3F)]
    }
}
