import EngramCore
import Foundation

/// LZ4 *block* format (no frame): sequences of [token][literal length+][literals][offset u16 LE]
/// [match length+], the last sequence literals only. The decoder checks every length and offset
/// against both buffers, so malformed or hostile input throws instead of reading or writing out
/// of bounds. The compressor is a greedy single-hash matcher (4-byte minimum match, 64 KiB window)
/// that honours the format's end rules (last 5 bytes literal, no match starting in the last 12),
/// so the reference decoder accepts its output.
public enum LZ4 {
    static let minMatch = 4
    static let lastLiterals = 5
    static let mfLimit = 12
    static let maxOffset = 65535

    /// Decompresses a block into `dst`; returns the number of bytes produced (≤ `dst.count`).
    /// `location` names the source in errors (offsets are relative to `src`).
    public static func decompress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer, location: String) throws -> Int {
        let n = src.count, cap = dst.count
        guard n > 0 else { throw EngramError(location, "empty LZ4 block") }
        guard let s = src.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw EngramError(location, "empty LZ4 block") }
        let d = dst.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var ip = 0, op = 0
        while true {
            guard ip < n else { throw EngramError(location, "LZ4 block truncated at byte \(ip) (expected a token)") }
            let token = Int(s[ip])
            ip += 1
            var litLen = token >> 4
            if litLen == 15 {
                while true {
                    guard ip < n else { throw EngramError(location, "LZ4 literal length truncated at byte \(ip)") }
                    let b = Int(s[ip]); ip += 1
                    litLen += b
                    if litLen > n { throw EngramError(location, "LZ4 literal length \(litLen) at byte \(ip) exceeds the block") }
                    if b != 255 { break }
                }
            }
            guard litLen <= n - ip else {
                throw EngramError(location, "LZ4 literals (\(litLen) bytes) at byte \(ip) run past the end of the block (\(n) bytes)")
            }
            guard litLen <= cap - op else {
                throw EngramError(location, "LZ4 literals at byte \(ip) overflow the output (\(cap) bytes)")
            }
            if let d {
                if litLen <= 16 && n - ip >= 16 && cap - op >= 16 {
                    // Short literal run: one 16-byte copy (bytes past the run are rewritten later).
                    UnsafeMutableRawPointer(d + op).storeBytes(of: UnsafeRawPointer(s + ip).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                } else if litLen > 0 {
                    (d + op).update(from: s + ip, count: litLen)
                }
            }
            ip += litLen
            op += litLen
            if ip == n { return op }  // last sequence: literals only
            guard ip + 2 <= n else { throw EngramError(location, "LZ4 match offset truncated at byte \(ip)") }
            let offset = Int(s[ip]) | Int(s[ip + 1]) << 8
            guard offset != 0 && offset <= op else {
                throw EngramError(location, "LZ4 match offset \(offset) at byte \(ip) points before the start of the output (\(op) bytes written)")
            }
            ip += 2
            var matchLen = token & 15
            if matchLen == 15 {
                while true {
                    guard ip < n else { throw EngramError(location, "LZ4 match length truncated at byte \(ip)") }
                    let b = Int(s[ip]); ip += 1
                    matchLen += b
                    if matchLen > cap { throw EngramError(location, "LZ4 match length at byte \(ip) exceeds the output size \(cap)") }
                    if b != 255 { break }
                }
            }
            matchLen += minMatch
            guard matchLen <= cap - op, let d else {
                throw EngramError(location, "LZ4 match (\(matchLen) bytes) before byte \(ip) overflows the output (\(cap) bytes)")
            }
            var from = d + (op - offset)
            var to = d + op
            if offset >= 16 && cap - op >= matchLen + 16 {
                // Chunks of 16 never read bytes this copy has not yet written (offset ≥ 16).
                var left = matchLen
                while left > 0 {
                    UnsafeMutableRawPointer(to).storeBytes(of: UnsafeRawPointer(from).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
                    to += 16; from += 16; left -= 16
                }
            } else if offset >= matchLen {
                to.update(from: from, count: matchLen)
            } else if offset >= 8 {
                // Overlapping, but each 8-byte step reads only bytes already written.
                var left = matchLen
                while left >= 8 {
                    UnsafeMutableRawPointer(to).storeBytes(of: UnsafeRawPointer(from).loadUnaligned(as: UInt64.self), as: UInt64.self)
                    to += 8; from += 8; left -= 8
                }
                for k in 0..<left { to[k] = from[k] }
            } else {
                for k in 0..<matchLen { to[k] = from[k] }
            }
            op += matchLen
        }
    }

    /// Worst-case compressed size for `n` input bytes.
    public static func compressBound(_ n: Int) -> Int { n + n / 255 + 16 }

    /// Compresses `src` into `dst` (which should hold `compressBound(src.count)` bytes).
    /// Returns the compressed size, or nil if it does not fit in `dst`.
    public static func compress(_ src: UnsafeRawBufferPointer, into dst: UnsafeMutableRawBufferPointer) -> Int? {
        let n = src.count
        guard let d = dst.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let cap = dst.count
        var op = 0
        let s = src.baseAddress?.assumingMemoryBound(to: UInt8.self)

        /// Emits one sequence; returns false when the output is full.
        func emit(literalsFrom a: Int, to b: Int, offset: Int, matchLen: Int) -> Bool {
            let litLen = b - a
            let need = 1 + litLen + litLen / 255 + 1 + (matchLen > 0 ? 2 + matchLen / 255 + 1 : 0)
            guard op + need <= cap else { return false }
            let tokenPos = op
            op += 1
            var token = 0
            if litLen >= 15 {
                token = 15 << 4
                var r = litLen - 15
                while r >= 255 { d[op] = 255; op += 1; r -= 255 }
                d[op] = UInt8(r); op += 1
            } else {
                token = litLen << 4
            }
            if litLen > 0, let s { (d + op).update(from: s + a, count: litLen) }
            op += litLen
            if matchLen > 0 {
                d[op] = UInt8(offset & 0xff); d[op + 1] = UInt8(offset >> 8); op += 2
                let m = matchLen - minMatch
                if m >= 15 {
                    token |= 15
                    var r = m - 15
                    while r >= 255 { d[op] = 255; op += 1; r -= 255 }
                    d[op] = UInt8(r); op += 1
                } else {
                    token |= m
                }
            }
            d[tokenPos] = UInt8(token)
            return true
        }

        var anchor = 0
        if n >= mfLimit + 1, let s {
            let hashLog = 14
            var table = [Int32](repeating: -1, count: 1 << hashLog)
            let raw = UnsafeRawPointer(s)
            @inline(__always) func hash(_ v: UInt32) -> Int { Int((v &* 2_654_435_761) >> UInt32(32 - hashLog)) }
            let matchLimit = n - lastLiterals  // a match may not cover the last 5 bytes
            let startLimit = n - mfLimit       // no match may start in the last 12 bytes
            table.withUnsafeMutableBufferPointer { t in
                var ip = 0
                while ip <= startLimit {
                    let seq = raw.loadUnaligned(fromByteOffset: ip, as: UInt32.self)
                    let h = hash(seq)
                    let cand = Int(t[h])
                    t[h] = Int32(ip)
                    if cand >= 0 && ip - cand <= maxOffset && raw.loadUnaligned(fromByteOffset: cand, as: UInt32.self) == seq {
                        var len = minMatch
                        while ip + len < matchLimit && s[cand + len] == s[ip + len] { len += 1 }
                        if !emit(literalsFrom: anchor, to: ip, offset: ip - cand, matchLen: len) { op = -1; return }
                        ip += len
                        anchor = ip
                        if ip - 2 >= 0 && ip - 2 <= startLimit {
                            t[hash(raw.loadUnaligned(fromByteOffset: ip - 2, as: UInt32.self))] = Int32(ip - 2)
                        }
                    } else {
                        // Skip faster through incompressible stretches, as LZ4 does.
                        ip += 1 + ((ip - anchor) >> 6)
                        // Give up as soon as the pending literals alone cannot fit.
                        let pending = min(ip, n) - anchor
                        if op + pending + pending / 255 + 2 > cap { op = -1; return }
                    }
                }
            }
            if op < 0 { return nil }
        }
        guard emit(literalsFrom: anchor, to: n, offset: 0, matchLen: 0) else { return nil }
        return op
    }

    /// Compresses `data`; returns the LZ4 block.
    public static func compress(_ data: Data) -> Data {
        var out = Data(count: compressBound(data.count))
        let n = data.withUnsafeBytes { s in out.withUnsafeMutableBytes { compress(s, into: $0)! } }
        out.count = n
        return out
    }

    /// Decompresses a block whose decompressed size is known exactly.
    public static func decompress(_ data: Data, decompressedSize: Int, location: String) throws -> Data {
        var out = Data(count: decompressedSize)
        let n = try data.withUnsafeBytes { s in try out.withUnsafeMutableBytes { try decompress(s, into: $0, location: location) } }
        guard n == decompressedSize else {
            throw EngramError(location, "LZ4 block decompressed to \(n) bytes, expected \(decompressedSize)")
        }
        return out
    }
}
