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
        // A large ID3v2 tag may push STREAMINFO past the first read.
        let id3 = head.withUnsafeBufferPointer { FLACMetadataParser.id3v2Size($0.baseAddress!, count: $0.count) }
        if id3 + 42 > head.count && size > head.count {
            head = [UInt8](repeating: 0, count: min(size, id3 + 42))
            guard readFully(fd, &head, offset: 0) else { return .failure(CorpusIssue(path, "read failed (\(String(cString: strerror(errno))))")) }
        }
        let info: FLACStreamInfo
        do {
            info = try head.withUnsafeBufferPointer { try FLACMetadataParser.parse($0.baseAddress!, count: $0.count, headerOnly: true).streamInfo }
        } catch let e as FLACFormatError {
            return .failure(CorpusIssue(path, "\(e.message) at byte offset \(e.byteOffset)"))
        } catch {
            return .failure(CorpusIssue(path, "\(error)"))
        }
        if info.totalSamples == 0 {
            return .failure(CorpusIssue(path, "STREAMINFO gives 0 total samples (empty or unknown length); duration cannot be read from the header"))
        }
        if verifyEnd {
            let endOfStreamInfo = id3 + 4 + 4 + FLACStreamInfo.byteCount
            let window = min(size - endOfStreamInfo, info.maxFrameSize > 0 ? info.maxFrameSize + 64 : 1 << 18)
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

    /// Finds the frame that ends at end of file (searching back for a frame sync whose header CRC-8
    /// and frame CRC-16 both match) and checks that it is the stream's last frame.
    /// Returns nil when complete, else a description of the problem.
    static func checkLastFrame(_ t: [UInt8], tailOffset: Int, info: FLACStreamInfo) -> String? {
        let n = t.count
        guard n >= 8 else { return "truncated: only \(n) bytes of audio data at byte offset \(tailOffset)" }
        return t.withUnsafeBufferPointer { buf -> String? in
            let p = buf.baseAddress!
            let stored = UInt16(p[n - 2]) << 8 | UInt16(p[n - 1])
            var pos = n - 8
            while pos >= 0 {
                defer { pos -= 1 }
                guard p[pos] == 0xFF, p[pos + 1] & 0xFE == 0xF8 else { continue }
                guard let hdr = try? FLACFrameHeader.parse(p + pos, count: n - pos, offset: tailOffset + pos, info: info),
                      pos + hdr.byteCount < n - 2, FLACCRC.crc16(p + pos, n - 2 - pos) == stored else { continue }
                // The final frame: its samples must end where STREAMINFO says the stream ends.
                let first = hdr.variableBlockSize ? Int(hdr.codedNumber) : Int(hdr.codedNumber) * info.minBlockSize
                if first + hdr.blockSize != info.totalSamples {
                    return "truncated: the file ends after sample \(first + hdr.blockSize) (frame at byte offset \(tailOffset + pos)) but STREAMINFO promises \(info.totalSamples) samples"
                }
                return nil
            }
            return "truncated or corrupt: no complete FLAC frame ends at end of file (byte offset \(tailOffset + n))"
        }
    }
}
