/// How the channels of a frame are coded (RFC 9639 §9.1.3).
enum FLACChannelAssignment: Equatable {
    /// Each of `n` channels coded on its own.
    case independent(Int)
    /// Channel 0 = left, channel 1 = side (left − right).
    case leftSide
    /// Channel 0 = side, channel 1 = right.
    case sideRight
    /// Channel 0 = mid ((left + right) >> 1), channel 1 = side.
    case midSide

    var channelCount: Int {
        if case .independent(let n) = self { return n }
        return 2
    }

    /// Index of the side channel (coded with one extra bit), or -1.
    var sideChannel: Int {
        switch self {
        case .independent: return -1
        case .leftSide, .midSide: return 1
        case .sideRight: return 0
        }
    }
}

/// A parsed frame header (RFC 9639 §9.1).
struct FLACFrameHeader {
    var variableBlockSize: Bool
    /// Samples per channel in this frame.
    var blockSize: Int
    var sampleRate: Int
    var channelAssignment: FLACChannelAssignment
    var bitsPerSample: Int
    /// Frame number (fixed block size) or number of the first sample (variable block size).
    var codedNumber: UInt64
    /// Header length in bytes including the CRC-8.
    var byteCount: Int

    /// Parses a frame header at `p` (at most `count` bytes available) and checks its CRC-8.
    /// `offset` is the header's position in the file; `info` supplies "same as STREAMINFO" values.
    static func parse(_ p: UnsafePointer<UInt8>, count: Int, offset: Int, info: FLACStreamInfo) throws -> FLACFrameHeader {
        func need(_ n: Int) throws {
            if n > count { throw FLACFormatError("truncated stream: frame header cut off", at: offset + count) }
        }
        try need(4)
        guard p[0] == 0xFF, p[1] & 0xFE == 0xF8 else {
            throw FLACFormatError("lost frame sync: expected 0xFFF8/0xFFF9, found 0x\(hex(p[0]))\(hex(p[1]))", at: offset)
        }
        let variable = p[1] & 1 != 0
        let bsCode = Int(p[2] >> 4), srCode = Int(p[2] & 0xF)
        let chCode = Int(p[3] >> 4), ssCode = Int(p[3] >> 1 & 0x7)
        if p[3] & 1 != 0 { throw FLACFormatError("frame header reserved bit set", at: offset + 3) }
        if bsCode == 0 { throw FLACFormatError("reserved block size code 0", at: offset + 2) }
        if srCode == 15 { throw FLACFormatError("invalid sample rate code 15", at: offset + 2) }
        let assignment: FLACChannelAssignment
        switch chCode {
        case 0...7: assignment = .independent(chCode + 1)
        case 8: assignment = .leftSide
        case 9: assignment = .sideRight
        case 10: assignment = .midSide
        default: throw FLACFormatError("reserved channel assignment \(chCode)", at: offset + 3)
        }
        let bps: Int
        switch ssCode {
        case 0: bps = info.bitsPerSample
        case 1: bps = 8
        case 2: bps = 12
        case 4: bps = 16
        case 5: bps = 20
        case 6: bps = 24
        case 7: bps = 32
        default: throw FLACFormatError("reserved sample size code 3", at: offset + 3)
        }
        // UTF-8-like coded frame/sample number: 1 to 7 bytes.
        var i = 4
        try need(i + 1)
        let lead = p[i]
        var number = UInt64(0)
        var extra = 0
        if lead & 0x80 == 0 { number = UInt64(lead) }
        else if lead & 0xE0 == 0xC0 { number = UInt64(lead & 0x1F); extra = 1 }
        else if lead & 0xF0 == 0xE0 { number = UInt64(lead & 0x0F); extra = 2 }
        else if lead & 0xF8 == 0xF0 { number = UInt64(lead & 0x07); extra = 3 }
        else if lead & 0xFC == 0xF8 { number = UInt64(lead & 0x03); extra = 4 }
        else if lead & 0xFE == 0xFC { number = UInt64(lead & 0x01); extra = 5 }
        else if lead == 0xFE { number = 0; extra = 6 }
        else { throw FLACFormatError("invalid coded frame number lead byte 0x\(hex(lead))", at: offset + i) }
        if !variable && extra > 5 { throw FLACFormatError("frame number longer than 31 bits", at: offset + i) }
        i += 1
        try need(i + extra)
        for _ in 0..<extra {
            guard p[i] & 0xC0 == 0x80 else { throw FLACFormatError("invalid coded frame number continuation byte", at: offset + i) }
            number = number << 6 | UInt64(p[i] & 0x3F)
            i += 1
        }
        var blockSize: Int
        switch bsCode {
        case 1: blockSize = 192
        case 2...5: blockSize = 576 << (bsCode - 2)
        case 6: try need(i + 1); blockSize = Int(p[i]) + 1; i += 1
        case 7: try need(i + 2); blockSize = (Int(p[i]) << 8 | Int(p[i + 1])) + 1; i += 2
        default: blockSize = 256 << (bsCode - 8)
        }
        var rate: Int
        switch srCode {
        case 0: rate = info.sampleRate
        case 1: rate = 88200
        case 2: rate = 176400
        case 3: rate = 192000
        case 4: rate = 8000
        case 5: rate = 16000
        case 6: rate = 22050
        case 7: rate = 24000
        case 8: rate = 32000
        case 9: rate = 44100
        case 10: rate = 48000
        case 11: rate = 96000
        case 12: try need(i + 1); rate = Int(p[i]) * 1000; i += 1
        case 13: try need(i + 2); rate = Int(p[i]) << 8 | Int(p[i + 1]); i += 2
        default: try need(i + 2); rate = (Int(p[i]) << 8 | Int(p[i + 1])) * 10; i += 2
        }
        try need(i + 1)
        let crc = FLACCRC.crc8(p, i)
        if crc != p[i] {
            throw FLACFormatError("frame header CRC-8 mismatch (stored 0x\(hex(p[i])), computed 0x\(hex(crc)))", at: offset)
        }
        i += 1
        return FLACFrameHeader(variableBlockSize: variable, blockSize: blockSize, sampleRate: rate,
                               channelAssignment: assignment, bitsPerSample: bps, codedNumber: number, byteCount: i)
    }
}

@inline(never) func hex(_ b: UInt8) -> String {
    let s = String(b, radix: 16, uppercase: true)
    return s.count == 1 ? "0" + s : s
}
