import EngramCore
import Foundation

/// gzip decompression (RFC 1952): header (with optional extra field, name, comment and header
/// CRC), a DEFLATE stream, and the trailer's CRC-32 and length (mod 2³²), which are checked.
/// Concatenated members (as `cat a.gz b.gz` makes) decode one after the other; anything else
/// after a member is an error. Streaming: memory does not grow with the input.
public enum Gzip {
    /// Decompresses the stream whose bytes `source` hands out in chunks (nil = end), passing the
    /// decompressed bytes to `sink` in pieces. `location` names the input in errors.
    public static func decompress(location: String, source: @escaping () throws -> [UInt8]?,
                                  sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        let inflater = Inflater(input: BitInput(location: location, source: source))
        var members = 0
        while true {
            if members > 0, try inflater.input.isAtEnd() { return }
            try readHeader(&inflater.input, first: members == 0)
            var crc = CRC32()
            let n = try inflater.inflateStream { piece in
                crc.update(piece)
                try sink(piece)
            }
            inflater.input.alignToByte()
            let trailer = try inflater.input.bytes(8, "gzip trailer (CRC-32 and length)")
            let wantCRC = UInt32(trailer[0]) | UInt32(trailer[1]) << 8 | UInt32(trailer[2]) << 16 | UInt32(trailer[3]) << 24
            let wantSize = UInt32(trailer[4]) | UInt32(trailer[5]) << 8 | UInt32(trailer[6]) << 16 | UInt32(trailer[7]) << 24
            guard crc.value == wantCRC else {
                throw inflater.input.error(String(format: "gzip CRC-32 mismatch: data gives %08x, trailer says %08x (corrupt archive)", crc.value, wantCRC))
            }
            guard UInt32(truncatingIfNeeded: n) == wantSize else {
                throw inflater.input.error("gzip length mismatch: \(n) bytes decoded, trailer says \(wantSize) (mod 2^32)")
            }
            members += 1
        }
    }

    static func readHeader(_ input: inout BitInput, first: Bool) throws {
        let h = try input.bytes(10, "gzip header")
        guard h[0] == 0x1F, h[1] == 0x8B else {
            throw input.error(first ? "not a gzip file (magic bytes \(String(format: "%02x %02x", h[0], h[1])), expected 1f 8b)"
                                    : "unexpected bytes after the end of the gzip data")
        }
        guard h[2] == 8 else { throw input.error("gzip compression method \(h[2]) (only 8, DEFLATE, exists)") }
        let flags = h[3]
        guard flags & 0xE0 == 0 else { throw input.error("reserved gzip header flags set (0x\(String(flags, radix: 16)))") }
        if flags & 0x04 != 0 {   // FEXTRA
            let x = try input.bytes(2, "gzip extra field length")
            _ = try input.bytes(Int(x[0]) | Int(x[1]) << 8, "gzip extra field")
        }
        for bit: UInt8 in [0x08, 0x10] where flags & bit != 0 {   // FNAME, FCOMMENT: zero-terminated
            while true {
                guard let b = try input.byte() else { throw input.error("input ends inside the gzip header's name or comment") }
                if b == 0 { break }
            }
        }
        if flags & 0x02 != 0 { _ = try input.bytes(2, "gzip header CRC") }
    }

    /// Decompresses a whole in-memory gzip file.
    public static func decompress(_ data: [UInt8], location: String = "<memory>") throws -> [UInt8] {
        var out = [UInt8]()
        var given = false
        try decompress(location: location, source: { () -> [UInt8]? in
            if given { return nil }
            given = true
            return data
        }, sink: { out.append(contentsOf: $0) })
        return out
    }

    /// Decompresses a gzip file, reading it in 1 MiB pieces.
    public static func decompress(file url: URL, sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let h = FileHandle(forReadingAtPath: url.path) else { throw EngramError(url.path, "cannot open for reading") }
        defer { try? h.close() }
        try decompress(location: url.path, source: {
            do {
                guard let d = try h.read(upToCount: 1 << 20), !d.isEmpty else { return nil }
                return [UInt8](d)
            } catch {
                throw EngramError(url.path, "read failed: \(error.localizedDescription)")
            }
        }, sink: sink)
    }
}
