import Foundation
import EngramCore

/// The STREAMINFO metadata block (RFC 9639 §8.2): the stream's fixed parameters.
public struct FLACStreamInfo: Equatable, Sendable {
    /// Smallest and largest block size in samples per channel (the last block may be smaller than `minBlockSize`).
    public var minBlockSize: Int
    public var maxBlockSize: Int
    /// Smallest and largest frame size in bytes; 0 = unknown.
    public var minFrameSize: Int
    public var maxFrameSize: Int
    /// Samples per second per channel.
    public var sampleRate: Int
    /// 1...8.
    public var channels: Int
    /// 4...32.
    public var bitsPerSample: Int
    /// Samples per channel in the stream; 0 = unknown.
    public var totalSamples: Int
    /// MD5 of the decoded samples (interleaved, little-endian, ceil(bits/8) bytes each); all zeros = not computed.
    public var md5: [UInt8]

    public init(minBlockSize: Int, maxBlockSize: Int, minFrameSize: Int, maxFrameSize: Int, sampleRate: Int,
                channels: Int, bitsPerSample: Int, totalSamples: Int, md5: [UInt8]) {
        self.minBlockSize = minBlockSize; self.maxBlockSize = maxBlockSize
        self.minFrameSize = minFrameSize; self.maxFrameSize = maxFrameSize
        self.sampleRate = sampleRate; self.channels = channels; self.bitsPerSample = bitsPerSample
        self.totalSamples = totalSamples; self.md5 = md5
    }

    /// Duration in seconds, or nil when the total sample count is unknown.
    public var duration: Double? {
        totalSamples > 0 && sampleRate > 0 ? Double(totalSamples) / Double(sampleRate) : nil
    }

    /// True when the encoder stored an MD5 signature.
    public var hasMD5: Bool { md5.contains { $0 != 0 } }

    /// Size of the STREAMINFO body in bytes.
    static let byteCount = 34

    /// Parses the 34-byte STREAMINFO body at `p`; `offset` is its position in the file (for errors).
    static func parse(_ p: UnsafePointer<UInt8>, offset: Int) throws -> FLACStreamInfo {
        func be(_ i: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 << 8 | Int(p[i + $1]) } }
        let minBS = be(0, 2), maxBS = be(2, 2)
        let minFS = be(4, 3), maxFS = be(7, 3)
        let packed = be(10, 8) // 20 bits rate, 3 bits channels-1, 5 bits bps-1, 36 bits total samples
        let rate = packed >> 44
        let channels = (packed >> 41 & 0x7) + 1
        let bps = (packed >> 36 & 0x1F) + 1
        let total = packed & 0xF_FFFF_FFFF
        let md5 = (0..<16).map { p[18 + $0] }
        if minBS < 16 || maxBS < minBS {
            throw FLACFormatError("invalid STREAMINFO block sizes min \(minBS) max \(maxBS) (need 16 <= min <= max)", at: offset)
        }
        if rate == 0 { throw FLACFormatError("invalid STREAMINFO sample rate 0", at: offset + 10) }
        if bps < 4 { throw FLACFormatError("invalid STREAMINFO bits per sample \(bps) (need 4...32)", at: offset + 12) }
        return FLACStreamInfo(minBlockSize: minBS, maxBlockSize: maxBS, minFrameSize: minFS, maxFrameSize: maxFS,
                              sampleRate: rate, channels: channels, bitsPerSample: bps, totalSamples: total, md5: md5)
    }

    /// Serialises the 34-byte STREAMINFO body.
    func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(34)
        func put(_ v: Int, _ n: Int) { for i in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: v >> (8 * i))) } }
        put(minBlockSize, 2); put(maxBlockSize, 2); put(minFrameSize, 3); put(maxFrameSize, 3)
        let packed = sampleRate << 44 | (channels - 1) << 41 | (bitsPerSample - 1) << 36 | (totalSamples & 0xF_FFFF_FFFF)
        put(packed, 8)
        out += md5.count == 16 ? md5 : [UInt8](repeating: 0, count: 16)
        return out
    }
}

/// Where the audio frames start and what the metadata said.
struct FLACMetadata {
    var streamInfo: FLACStreamInfo
    /// Byte offset of the first audio frame.
    var firstFrameOffset: Int
}

enum FLACMetadataParser {
    /// Size of an ID3v2 tag at `p` (some taggers prepend one to FLAC files), or 0.
    static func id3v2Size(_ p: UnsafePointer<UInt8>, count: Int) -> Int {
        guard count >= 10, p[0] == 0x49, p[1] == 0x44, p[2] == 0x33 else { return 0 } // "ID3"
        let s = (6..<10).reduce(0) { $0 << 7 | Int(p[$1] & 0x7F) }
        let footer = (p[5] & 0x10) != 0 ? 10 : 0
        return 10 + s + footer
    }

    /// Parses "fLaC" and the metadata blocks. With `headerOnly`, `count` may cover just the start of the
    /// file: parsing stops after STREAMINFO and `firstFrameOffset` is not computed (set to -1).
    static func parse(_ p: UnsafePointer<UInt8>, count: Int, headerOnly: Bool = false) throws -> FLACMetadata {
        var off = id3v2Size(p, count: count)
        guard off + 4 <= count else {
            throw FLACFormatError("truncated stream: file too short for the \"fLaC\" signature", at: min(off, count))
        }
        guard p[off] == 0x66, p[off + 1] == 0x4C, p[off + 2] == 0x61, p[off + 3] == 0x43 else {
            throw FLACFormatError("not a FLAC stream: missing \"fLaC\" signature", at: off)
        }
        off += 4
        var info: FLACStreamInfo?
        var isLast = false
        var index = 0
        while !isLast {
            guard off + 4 <= count else {
                throw FLACFormatError("truncated stream: metadata block header cut off", at: count)
            }
            isLast = p[off] & 0x80 != 0
            let type = Int(p[off] & 0x7F)
            let length = Int(p[off + 1]) << 16 | Int(p[off + 2]) << 8 | Int(p[off + 3])
            let body = off + 4
            if type == 127 { throw FLACFormatError("invalid metadata block type 127", at: off) }
            if index == 0 && type != 0 {
                throw FLACFormatError("first metadata block is type \(type), expected STREAMINFO (0)", at: off)
            }
            if index > 0 && type == 0 { throw FLACFormatError("second STREAMINFO block", at: off) }
            if type == 0 {
                if length != FLACStreamInfo.byteCount {
                    throw FLACFormatError("STREAMINFO length \(length), expected 34", at: off + 1)
                }
                guard body + length <= count else {
                    throw FLACFormatError("truncated stream: STREAMINFO cut off", at: count)
                }
                info = try FLACStreamInfo.parse(p + body, offset: body)
                if headerOnly { return FLACMetadata(streamInfo: info!, firstFrameOffset: -1) }
            } else if body + length > count {
                throw FLACFormatError("truncated stream: metadata block of type \(type) and length \(length) runs past the end", at: count)
            }
            off = body + length
            index += 1
        }
        guard let info else { throw FLACFormatError("no STREAMINFO block", at: off) }
        return FLACMetadata(streamInfo: info, firstFrameOffset: off)
    }
}

extension FLACStreamInfo {
    /// Reads only the start of the file (no audio decoding): sample rate, channels, bits, total samples.
    /// Cost: one or two small reads, independent of the file's length.
    public static func read(contentsOf url: URL) throws -> FLACStreamInfo {
        let path = url.path
        guard let fh = FileHandle(forReadingAtPath: path) else {
            throw EngramError(path, "cannot open file for reading")
        }
        defer { try? fh.close() }
        do {
            var head = try fh.read(upToCount: 4096) ?? Data()
            // A large ID3v2 tag may push STREAMINFO beyond the first read: read just enough more.
            let id3 = head.withUnsafeBytes { b in
                b.count == 0 ? 0 : FLACMetadataParser.id3v2Size(b.bindMemory(to: UInt8.self).baseAddress!, count: b.count)
            }
            if id3 + 4 + 4 + 34 > head.count && head.count == 4096 {
                try fh.seek(toOffset: 0)
                head = try fh.read(upToCount: id3 + 4 + 4 + 34) ?? Data()
            }
            return try head.withUnsafeBytes { raw -> FLACStreamInfo in
                guard raw.count > 0 else { throw FLACFormatError("empty file", at: 0) }
                return try FLACMetadataParser.parse(raw.bindMemory(to: UInt8.self).baseAddress!, count: raw.count, headerOnly: true).streamInfo
            }
        } catch let e as FLACFormatError {
            throw e.engramError(path: path)
        } catch let e as EngramError {
            throw e
        } catch {
            throw EngramError(path, "read failed: \(error.localizedDescription)")
        }
    }
}
