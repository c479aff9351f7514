import EngramCore

/// One member of a tar archive.
public struct TarEntry: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case file, directory, symlink, hardlink
        /// Device, FIFO or another type flag (the byte).
        case other(UInt8)
    }
    /// Relative path, '/'-separated, without a leading "./" or trailing "/"; never absolute and
    /// never containing "..": such members are rejected.
    public var path: String
    public var kind: Kind
    /// Bytes of content (0 for directories and links).
    public var size: Int
    /// Permission bits.
    public var mode: Int
    public var linkName: String
}

/// Streaming tar parser (POSIX ustar, pax extended headers, GNU long names): feed it the archive's
/// bytes in pieces of any size with `consume`, and it reports each member's header, content pieces
/// and end to `handler`; `finish` checks that the archive ended cleanly. Header checksums, sizes
/// (octal or GNU base-256) and member paths are validated; errors name the archive, the member and
/// the byte offset.
public final class TarReader {
    public enum Event {
        case begin(TarEntry)
        /// Content bytes of the current member (valid only during the call).
        case data(UnsafeRawBufferPointer)
        case end
    }

    private enum State {
        case header
        /// Content of a member reported to the handler.
        case content(left: Int, padding: Int)
        /// Content of a pax / GNU long-name header, collected.
        case meta(type: UInt8, left: Int, padding: Int)
        case padding(left: Int)
        case finished
    }

    let location: String
    let handler: (Event) throws -> Void
    private var state = State.header
    private var block = [UInt8]()
    private var meta = [UInt8]()
    /// Archive offset of the next byte consumed.
    public private(set) var offset = 0
    /// Overrides from pax 'x' headers or GNU 'L'/'K' headers, for the next member only.
    private var nextPath: String?
    private var nextLink: String?
    private var nextSize: Int?
    private var currentPath = ""
    public private(set) var sawEndMarker = false
    /// Largest pax / long-name header accepted (they hold a few paths, not content).
    static let maxMetaSize = 1 << 20

    public init(location: String, handler: @escaping (Event) throws -> Void) {
        self.location = location
        self.handler = handler
    }

    func error(_ message: String, at: Int? = nil) -> EngramError {
        EngramError(location, "\(message) (tar byte \(at ?? offset))")
    }

    public func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var i = 0
        while i < bytes.count {
            switch state {
            case .finished:
                // After the end marker only zero padding may follow.
                if let nz = bytes[i...].firstIndex(where: { $0 != 0 }) {
                    offset += nz - i
                    throw error("data after the end-of-archive marker")
                }
                offset += bytes.count - i
                return
            case .header:
                let take = min(512 - block.count, bytes.count - i)
                block.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)]))
                i += take
                offset += take
                if block.count == 512 {
                    let b = block
                    block.removeAll(keepingCapacity: true)
                    try header(b)
                }
            case let .content(left, padding):
                let take = min(left, bytes.count - i)
                if take > 0 { try handler(.data(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)]))) }
                i += take
                offset += take
                if left - take == 0 {
                    try handler(.end)
                    state = padding > 0 ? .padding(left: padding) : .header
                } else {
                    state = .content(left: left - take, padding: padding)
                }
            case let .meta(type, left, padding):
                let take = min(left, bytes.count - i)
                meta.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)]))
                i += take
                offset += take
                if left - take == 0 {
                    try applyMeta(type)
                    state = padding > 0 ? .padding(left: padding) : .header
                } else {
                    state = .meta(type: type, left: left - take, padding: padding)
                }
            case let .padding(left):
                let take = min(left, bytes.count - i)
                i += take
                offset += take
                state = left - take == 0 ? .header : .padding(left: left - take)
            }
        }
    }

    /// Call at the end of the input: throws when it ended inside a member or header.
    public func finish() throws {
        switch state {
        case .finished: return
        case .header where block.isEmpty:
            // No end marker (some writers omit it): accepted when at a member boundary.
            return
        case .header: throw error("archive ends inside a header (\(block.count) of 512 bytes)")
        case let .content(left, _): throw error("archive ends inside \(currentPath) (\(left) bytes missing)")
        case let .meta(_, left, _): throw error("archive ends inside an extended header (\(left) bytes missing)")
        case .padding: return
        }
    }

    static func string(_ b: ArraySlice<UInt8>) -> String {
        let end = b.firstIndex(of: 0) ?? b.endIndex
        return String(decoding: b[b.startIndex..<end], as: UTF8.self)
    }

    /// Octal (space/NUL padded) or GNU base-256 (high bit of the first byte) number.
    func number(_ b: ArraySlice<UInt8>, _ field: String, headerStart: Int) throws -> Int {
        if let f = b.first, f & 0x80 != 0 {
            guard f == 0x80 else { throw error("negative or oversized base-256 \(field)", at: headerStart) }
            var v = 0
            for x in b.dropFirst() {
                guard v < (Int.max >> 8) else { throw error("\(field) too large", at: headerStart) }
                v = v << 8 | Int(x)
            }
            return v
        }
        var v = 0, seen = false
        for x in b {
            if x == 0x20 || x == 0 { if seen { break } else { continue } }
            guard x >= 0x30 && x <= 0x37 else { throw error("\(field) is not an octal number", at: headerStart) }
            guard v < (Int.max >> 3) else { throw error("\(field) too large", at: headerStart) }
            v = v << 3 | Int(x - 0x30)
            seen = true
        }
        return v
    }

    private func header(_ b: [UInt8]) throws {
        let start = offset - 512
        if b.allSatisfy({ $0 == 0 }) {
            sawEndMarker = true
            state = .finished
            return
        }
        let stored = try number(b[148..<156], "header checksum", headerStart: start)
        var unsigned = 0, signed = 0
        for (i, x) in b.enumerated() {
            let v = (148..<156).contains(i) ? 0x20 : x
            unsigned += Int(v)
            signed += Int(Int8(bitPattern: v))
        }
        guard stored == unsigned || stored == signed else {
            throw error("tar header checksum mismatch (stored \(stored), computed \(unsigned)): not a tar archive, or corrupt", at: start)
        }
        let type = b[156]
        let isUstar = b[257..<262].elementsEqual(Array("ustar".utf8))
        var name = Self.string(b[0..<100])
        if isUstar {
            let prefix = Self.string(b[345..<500])
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        var size = try number(b[124..<136], "size", headerStart: start)
        let mode = try number(b[100..<108], "mode", headerStart: start)
        var link = Self.string(b[157..<257])
        let padded = { (n: Int) in (512 - n % 512) % 512 }

        switch type {
        case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K"):
            guard size <= Self.maxMetaSize else { throw error("extended header of \(size) bytes is implausibly large", at: start) }
            meta.removeAll(keepingCapacity: true)
            state = size > 0 ? .meta(type: type, left: size, padding: padded(size)) : .header
            if size == 0 { try applyMeta(type) }
            return
        default: break
        }
        if let p = nextPath { name = p }
        if let l = nextLink { link = l }
        if let s = nextSize { size = s }
        nextPath = nil; nextLink = nil; nextSize = nil

        let kind: TarEntry.Kind
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): kind = name.hasSuffix("/") ? .directory : .file
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "1"): kind = .hardlink
        default: kind = .other(type)
        }
        let path = try Self.safePath(name, error: { self.error($0, at: start) })
        if path.isEmpty {
            guard kind == .directory else { throw error("member '\(name)' has no name", at: start) }
            state = .header   // the archive's own root folder
            return
        }
        currentPath = path
        // Links, directories and devices carry no content (their size field is ignored), except
        // unknown types, whose content is skipped.
        let content: Int
        switch kind {
        case .file, .other: content = size
        default: content = 0
        }
        try handler(.begin(TarEntry(path: path, kind: kind, size: content, mode: mode, linkName: link)))
        if content > 0 {
            state = .content(left: content, padding: padded(content))
        } else {
            try handler(.end)
            state = .header
        }
    }

    private func applyMeta(_ type: UInt8) throws {
        switch type {
        case UInt8(ascii: "L"): nextPath = Self.string(meta[...])
        case UInt8(ascii: "K"): nextLink = Self.string(meta[...])
        case UInt8(ascii: "x"):
            for (k, v) in try Self.paxRecords(meta, error: { self.error($0) }) {
                switch k {
                case "path": nextPath = v
                case "linkpath": nextLink = v
                case "size":
                    guard let s = Int(v), s >= 0 else { throw error("pax size '\(v)' is not a size") }
                    nextSize = s
                default: break
                }
            }
        default: break   // 'g': global pax header, nothing we use
        }
    }

    /// pax records: "<length> <key>=<value>\n", length counting the whole record.
    static func paxRecords(_ data: [UInt8], error: (String) -> EngramError) throws -> [(String, String)] {
        var out = [(String, String)]()
        var i = 0
        while i < data.count {
            guard let sp = data[i...].firstIndex(of: 0x20), let len = Int(String(decoding: data[i..<sp], as: UTF8.self)),
                  len > sp - i + 1, i + len <= data.count, data[i + len - 1] == 0x0A else {
                throw error("malformed pax extended header record at offset \(i)")
            }
            let rec = data[(sp + 1)..<(i + len - 1)]
            guard let eq = rec.firstIndex(of: UInt8(ascii: "=")) else { throw error("pax record without '='") }
            out.append((String(decoding: rec[rec.startIndex..<eq], as: UTF8.self), String(decoding: rec[(eq + 1)...], as: UTF8.self)))
            i += len
        }
        return out
    }

    /// Normalises a member name; rejects absolute paths, ".." and empty names (an archive must
    /// not write outside the folder it is extracted into).
    static func safePath(_ name: String, error: (String) -> EngramError) throws -> String {
        guard !name.hasPrefix("/") else { throw error("member '\(name)' has an absolute path") }
        let parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        guard !parts.contains("..") else { throw error("member '\(name)' points outside the archive folder (..)") }
        guard !parts.isEmpty else {
            if !name.isEmpty && name.allSatisfy({ $0 == "." || $0 == "/" }) { return "" }   // "./": the archive root
            throw error("member with an empty name")
        }
        guard !name.contains("\0") else { throw error("member name contains NUL") }
        return parts.joined(separator: "/")
    }
}
