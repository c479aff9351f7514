import Foundation
import EngramCore

/// What the corpus needs from a FLAC file without decoding it: STREAMINFO (rate, channels, bits,
/// total samples) plus a completeness check of the final frame.
public struct FLACProbe: Equatable, Sendable {
    public var sampleRate: Int
    public var channels: Int
    public var bitsPerSample: Int
    /// Samples per channel (STREAMINFO total samples).
    public var totalSamples: Int
    /// Size of the file in bytes.
    public var fileSize: Int

    /// Seconds of audio.
    public var duration: Double { Double(totalSamples) / Double(sampleRate) }

    /// Reads the head of the file for STREAMINFO and, with `verifyEnd`, its last frame: the frame
    /// that ends exactly at end of file must carry valid CRC-8/CRC-16 checksums and hold the stream's
    /// final samples, which catches truncated or partly written files at the cost of one small read.
    /// Errors are `CorpusIssue`s naming the path (and byte offset where it applies).
    public static func read(path: String, verifyEnd: Bool = true) -> Result<FLACProbe, CorpusIssue> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(CorpusIssue(path, "cannot open file (\(String(cString: strerror(errno))))")) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(CorpusIssue(path, "cannot stat file (\(String(cString: strerror(errno))))")) }
        let size = Int(st.st_size)
        if size == 0 { return .failure(CorpusIssue(path, "empty file (0 bytes)")) }
        var head = [UInt8](repeating: 0, count: min(size, 4096))
        guard readFully(fd, &head, offset: 0) else { return .failure(CorpusIssue(path, "read failed (\(String(cString: strerror(errno))))")) }
        let info: StreamInfo
        switch parseStreamInfo(head) {
        case .success(let i): info = i
        case .failure(let e): return .failure(CorpusIssue(path, e.text))
        }
        if info.totalSamples == 0 {
            return .failure(CorpusIssue(path, "STREAMINFO gives 0 total samples (empty or unknown length); duration cannot be read from the header"))
        }
        if verifyEnd {
            let window = min(size - info.endOfStreamInfo, info.maxFrameSize > 0 ? info.maxFrameSize + 64 : 1 << 18)
            guard window > 0 else {
                return .failure(CorpusIssue(path, "truncated: no audio frames after the metadata at byte offset \(size)"))
            }
            var tail = [UInt8](repeating: 0, count: window)
            guard readFully(fd, &tail, offset: size - window) else { return .failure(CorpusIssue(path, "read failed (\(String(cString: strerror(errno))))")) }
            if let problem = checkLastFrame(tail, tailOffset: size - window, info: info) {
                return .failure(CorpusIssue(path, problem))
            }
        }
        return .success(FLACProbe(sampleRate: info.sampleRate, channels: info.channels, bitsPerSample: info.bitsPerSample,
                                  totalSamples: info.totalSamples, fileSize: size))
    }

    private static func readFully(_ fd: Int32, _ buf: inout [UInt8], offset: Int) -> Bool {
        let n = buf.count
        var done = 0
        while done < n {
            let r = buf.withUnsafeMutableBytes { b in pread(fd, b.baseAddress! + done, n - done, off_t(offset + done)) }
            if r < 0 { if errno == EINTR { continue }; return false }
            if r == 0 { errno = EIO; return false }
            done += r
        }
        return true
    }

    struct StreamInfo {
        var minBlockSize, maxBlockSize, maxFrameSize, sampleRate, channels, bitsPerSample, totalSamples: Int
        /// Byte offset just past the STREAMINFO block.
        var endOfStreamInfo: Int
    }

    struct ParseError: Error { var text: String }

    /// "fLaC" then the STREAMINFO block (RFC 9639 §8.2), optionally after an ID3v2 tag.
    static func parseStreamInfo(_ b: [UInt8]) -> Result<StreamInfo, ParseError> {
        var off = 0
        if b.count >= 10, b[0] == 0x49, b[1] == 0x44, b[2] == 0x33 { // "ID3"
            off = 10 + (6..<10).reduce(0) { $0 << 7 | Int(b[$1] & 0x7F) } + ((b[5] & 0x10) != 0 ? 10 : 0)
        }
        guard off + 4 <= b.count else { return .failure(ParseError(text: "truncated: file too short for the \"fLaC\" signature at byte offset \(off)")) }
        guard b[off] == 0x66, b[off + 1] == 0x4C, b[off + 2] == 0x61, b[off + 3] == 0x43 else {
            return .failure(ParseError(text: "not a FLAC file: no \"fLaC\" signature at byte offset \(off)"))
        }
        let h = off + 4
        guard h + 4 + 34 <= b.count else { return .failure(ParseError(text: "truncated: STREAMINFO cut off at byte offset \(b.count)")) }
        guard b[h] & 0x7F == 0, Int(b[h + 1]) << 16 | Int(b[h + 2]) << 8 | Int(b[h + 3]) == 34 else {
            return .failure(ParseError(text: "first metadata block is not a 34-byte STREAMINFO at byte offset \(h)"))
        }
        let p = h + 4
        func be(_ i: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 << 8 | Int(b[p + i + $1]) } }
        let packed = be(10, 8)
        let info = StreamInfo(minBlockSize: be(0, 2), maxBlockSize: be(2, 2), maxFrameSize: be(7, 3),
                              sampleRate: packed >> 44, channels: (packed >> 41 & 7) + 1, bitsPerSample: (packed >> 36 & 0x1F) + 1,
                              totalSamples: packed & 0xF_FFFF_FFFF, endOfStreamInfo: p + 34)
        if info.minBlockSize < 16 || info.maxBlockSize < info.minBlockSize {
            return .failure(ParseError(text: "invalid STREAMINFO block sizes \(info.minBlockSize)…\(info.maxBlockSize) at byte offset \(p)"))
        }
        if info.sampleRate == 0 { return .failure(ParseError(text: "invalid STREAMINFO sample rate 0 at byte offset \(p + 10)")) }
        if info.bitsPerSample < 4 { return .failure(ParseError(text: "invalid STREAMINFO bits per sample \(info.bitsPerSample) at byte offset \(p + 12)")) }
        return .success(info)
    }

    /// Finds the frame that ends at end of file (searching back for a frame sync whose header CRC-8
    /// and frame CRC-16 both match) and checks that it is the stream's last frame.
    /// Returns nil when complete, else a description of the problem.
    static func checkLastFrame(_ t: [UInt8], tailOffset: Int, info: StreamInfo) -> String? {
        let n = t.count
        guard n >= 8 else { return "truncated: only \(n) bytes of audio data at byte offset \(tailOffset)" }
        let stored = UInt16(t[n - 2]) << 8 | UInt16(t[n - 1])
        var pos = n - 8
        while pos >= 0 {
            defer { pos -= 1 }
            guard t[pos] == 0xFF, t[pos + 1] & 0xFE == 0xF8 else { continue }
            guard let hdr = FrameHeader.parse(t, at: pos), hdr.end < n - 2 else { continue }
            guard crc16(t, pos, n - 2) == stored else { continue }
            // The final frame: its samples must end where STREAMINFO says the stream ends.
            let firstSample = hdr.variableBlocking ? hdr.number : hdr.number * info.minBlockSize
            let blockSize = hdr.blockSize ?? 0
            if firstSample + blockSize != info.totalSamples {
                return "truncated: the file ends after sample \(firstSample + blockSize) (frame at byte offset \(tailOffset + pos)) but STREAMINFO promises \(info.totalSamples) samples"
            }
            return nil
        }
        return "truncated or corrupt: no complete FLAC frame ends at end of file (byte offset \(tailOffset + n))"
    }

    /// The fields of a frame header we need (RFC 9639 §9.1).
    struct FrameHeader {
        var variableBlocking: Bool
        /// Frame number (fixed blocking) or first sample number (variable blocking).
        var number: Int
        /// Samples per channel in the frame; nil for the reserved code.
        var blockSize: Int?
        /// Offset just past the header's CRC-8.
        var end: Int

        static func parse(_ t: [UInt8], at pos: Int) -> FrameHeader? {
            var i = pos + 4
            guard i < t.count else { return nil }
            let bsCode = Int(t[pos + 2] >> 4), srCode = Int(t[pos + 2] & 0xF)
            let chCode = Int(t[pos + 3] >> 4), bpsCode = Int(t[pos + 3] >> 1 & 7)
            if bsCode == 0 || srCode == 15 || chCode > 10 || bpsCode == 3 || t[pos + 3] & 1 != 0 { return nil }
            // UTF-8-style coded number.
            let b0 = t[i]
            var len = 0, v = 0
            if b0 & 0x80 == 0 { len = 1; v = Int(b0) }
            else if b0 & 0xE0 == 0xC0 { len = 2; v = Int(b0 & 0x1F) }
            else if b0 & 0xF0 == 0xE0 { len = 3; v = Int(b0 & 0x0F) }
            else if b0 & 0xF8 == 0xF0 { len = 4; v = Int(b0 & 0x07) }
            else if b0 & 0xFC == 0xF8 { len = 5; v = Int(b0 & 0x03) }
            else if b0 & 0xFE == 0xFC { len = 6; v = Int(b0 & 0x01) }
            else if b0 == 0xFE { len = 7; v = 0 }
            else { return nil }
            guard i + len <= t.count else { return nil }
            for k in 1..<len {
                guard t[i + k] & 0xC0 == 0x80 else { return nil }
                v = v << 6 | Int(t[i + k] & 0x3F)
            }
            i += len
            var blockSize: Int?
            switch bsCode {
            case 1: blockSize = 192
            case 2...5: blockSize = 576 << (bsCode - 2)
            case 6: guard i + 1 <= t.count else { return nil }; blockSize = Int(t[i]) + 1; i += 1
            case 7: guard i + 2 <= t.count else { return nil }; blockSize = (Int(t[i]) << 8 | Int(t[i + 1])) + 1; i += 2
            default: blockSize = 256 << (bsCode - 8)
            }
            switch srCode {
            case 12: i += 1
            case 13, 14: i += 2
            default: break
            }
            guard i < t.count, crc8(t, pos, i) == t[i] else { return nil }
            return FrameHeader(variableBlocking: t[pos + 1] & 1 == 1, number: v, blockSize: blockSize, end: i + 1)
        }
    }

    static let crc8Table: [UInt8] = (0..<256).map { i in
        var c = UInt8(i)
        for _ in 0..<8 { c = c & 0x80 != 0 ? c << 1 ^ 0x07 : c << 1 }
        return c
    }
    static let crc16Table: [UInt16] = (0..<256).map { i in
        var c = UInt16(i) << 8
        for _ in 0..<8 { c = c & 0x8000 != 0 ? c << 1 ^ 0x8005 : c << 1 }
        return c
    }

    /// CRC-8 (poly 0x07) of t[from..<to].
    static func crc8(_ t: [UInt8], _ from: Int, _ to: Int) -> UInt8 {
        var c: UInt8 = 0
        for k in from..<to { c = crc8Table[Int(c ^ t[k])] }
        return c
    }

    /// CRC-16 (poly 0x8005) of t[from..<to].
    static func crc16(_ t: [UInt8], _ from: Int, _ to: Int) -> UInt16 {
        crc16Table.withUnsafeBufferPointer { tab in
            t.withUnsafeBufferPointer { b in
                var c: UInt16 = 0
                for k in from..<to { c = c << 8 ^ tab[Int(c >> 8 ^ UInt16(b[k]))] }
                return c
            }
        }
    }
}
