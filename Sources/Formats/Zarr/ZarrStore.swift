import EngramCore
import Foundation

/// A Zarr v2 directory store: groups are folders with `.zgroup`, arrays folders with `.zarray`
/// and chunk files, attributes in `.zattrs`. When the root holds consolidated metadata
/// (`.zmetadata`, as `zarr.consolidate_metadata` writes), metadata is read from it and falls back
/// to the individual files for keys it lacks. Any metadata write through this type deletes a
/// stale `.zmetadata`; call `consolidate()` to write it again.
///
/// Paths are '/'-separated and relative to the root ("" is the root group). Reads are safe from
/// several threads at once.
public final class ZarrStore: @unchecked Sendable {
    public let root: URL
    private let lock = NSLock()
    private var consolidated: [String: JSONValue]?

    /// Opens an existing store (root must be a folder). `useConsolidated` reads `.zmetadata` if present.
    public init(root: URL, useConsolidated: Bool = true) throws {
        self.root = root
        guard FileIO.isDirectory(root.path) else { throw EngramError(root.path, "Zarr store folder not found") }
        if useConsolidated { try loadConsolidated() }
    }

    /// Creates the store folder and a root group (keeping an existing one).
    public static func create(root: URL) throws -> ZarrStore {
        try FileIO.makeDirectory(root.path)
        if !FileIO.exists(root.appendingPathComponent(".zgroup").path) {
            try FileIO.writeFile(zgroupText, to: root.appendingPathComponent(".zgroup").path)
        }
        return try ZarrStore(root: root)
    }

    static let zgroupText = JSON.serialize(.object(JSONObject([("zarr_format", .int(2))])))

    // MARK: keys and metadata

    /// File path of a key ("a/b/.zarray").
    public func path(_ key: String) -> String {
        key.isEmpty ? root.path : root.path + "/" + key
    }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : a + "/" + b }

    private func loadConsolidated() throws {
        let p = path(".zmetadata")
        guard let bytes = try FileIO.readFileIfExists(p) else { return }
        let v = try bytes.withUnsafeBytes { try JSON.parse($0, location: p) }
        guard let meta = v["metadata"]?.objectValue else { throw EngramError(p, "consolidated metadata has no 'metadata' object") }
        guard v["zarr_consolidated_format"]?.intValue == 1 else { throw EngramError(p, "zarr_consolidated_format must be 1") }
        consolidated = meta.values
    }

    /// True when `.zmetadata` was loaded.
    public var isConsolidated: Bool { lock.lock(); defer { lock.unlock() }; return consolidated != nil }

    /// A metadata document (`.zgroup`, `.zarray`, `.zattrs` key), or nil when absent.
    public func metadata(_ key: String) throws -> JSONValue? {
        lock.lock()
        let c = consolidated?[key]
        lock.unlock()
        if let c { return c }
        let p = path(key)
        guard let bytes = try FileIO.readFileIfExists(p) else { return nil }
        return try bytes.withUnsafeBytes { try JSON.parse($0, location: p) }
    }

    /// Writes a metadata document (zarr-python's JSON layout) and invalidates `.zmetadata`.
    public func setMetadata(_ key: String, _ value: JSONValue) throws {
        try invalidateConsolidated()
        let p = path(key)
        try FileIO.makeDirectory((p as NSString).deletingLastPathComponent)
        try FileIO.writeFile(JSON.serialize(value), to: p)
    }

    /// Removes `.zmetadata` (it would no longer describe the store).
    public func invalidateConsolidated() throws {
        lock.lock()
        let had = consolidated != nil
        consolidated = nil
        lock.unlock()
        let p = path(".zmetadata")
        if had || FileIO.exists(p) {
            if unlink(p) != 0 && errno != ENOENT {
                throw EngramError(p, "cannot remove stale consolidated metadata (\(String(cString: strerror(errno))))")
            }
        }
    }

    // MARK: groups

    public func isGroup(_ path: String) throws -> Bool { try metadata(Self.join(path, ".zgroup")) != nil }
    public func isArray(_ path: String) throws -> Bool { try metadata(Self.join(path, ".zarray")) != nil }

    /// Creates a group (and missing parent groups).
    public func createGroup(_ path: String, attributes: JSONObject? = nil) throws {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix = Self.join(prefix, String(part))
            if try !isGroup(prefix) { try setMetadata(Self.join(prefix, ".zgroup"), .object(JSONObject([("zarr_format", .int(2))]))) }
        }
        if let attributes { try setAttributes(path, attributes) }
    }

    /// `.zattrs` of a group or array (empty when absent).
    public func attributes(_ path: String) throws -> JSONObject {
        let key = Self.join(path, ".zattrs")
        guard let v = try metadata(key) else { return JSONObject() }
        guard let o = v.objectValue else { throw EngramError(self.path(key), ".zattrs is not a JSON object") }
        return o
    }

    public func setAttributes(_ path: String, _ attributes: JSONObject) throws {
        try setMetadata(Self.join(path, ".zattrs"), .object(attributes))
    }

    /// Child groups and arrays of a group, sorted. Uses consolidated metadata when loaded.
    public func children(_ path: String) throws -> (groups: [String], arrays: [String]) {
        var groups = Set<String>(), arrays = Set<String>()
        lock.lock()
        let c = consolidated
        lock.unlock()
        if let c {
            let prefix = path.isEmpty ? "" : path + "/"
            for key in c.keys where key.hasPrefix(prefix) {
                let rest = key.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
                guard rest.count == 2 else { continue }
                if rest[1] == ".zgroup" { groups.insert(String(rest[0])) }
                if rest[1] == ".zarray" { arrays.insert(String(rest[0])) }
            }
        }
        if let names = try FileIO.list(self.path(path)) {
            for n in names where !n.hasPrefix(".") {
                let child = self.path(Self.join(path, n))
                if FileIO.exists(child + "/.zgroup") { groups.insert(n) } else if FileIO.exists(child + "/.zarray") { arrays.insert(n) }
            }
        }
        return (groups.sorted(), arrays.sorted())
    }

    /// Writes `.zmetadata` with every `.zgroup`, `.zarray` and `.zattrs` under the root, in
    /// zarr-python's layout (`zarr.open_consolidated` reads it).
    public func consolidate() throws {
        try invalidateConsolidated()
        var meta = JSONObject()
        func walk(_ rel: String) throws {
            for name in [".zarray", ".zattrs", ".zgroup"] {
                let key = Self.join(rel, name)
                if let bytes = try FileIO.readFileIfExists(path(key)) {
                    meta[key] = try bytes.withUnsafeBytes { try JSON.parse($0, location: path(key)) }
                }
            }
            guard let names = try FileIO.list(path(rel)) else { return }
            for n in names.sorted() where !n.hasPrefix(".") {
                let child = Self.join(rel, n)
                if FileIO.exists(path(child) + "/.zgroup") || FileIO.exists(path(child) + "/.zarray") { try walk(child) }
            }
        }
        try walk("")
        let doc = JSONValue.object(JSONObject([("metadata", .object(meta)), ("zarr_consolidated_format", .int(1))]))
        try AtomicFile.write(JSON.serialize(doc), to: root.appendingPathComponent(".zmetadata"))
        lock.lock()
        consolidated = meta.values
        lock.unlock()
    }

    // MARK: arrays

    /// Opens an array.
    public func array(_ path: String) throws -> ZarrArray {
        let key = Self.join(path, ".zarray")
        guard let v = try metadata(key) else { throw EngramError(self.path(path), "no Zarr array here (missing .zarray)") }
        return ZarrArray(store: self, path: path, metadata: try ZarrArrayMetadata(json: v, location: self.path(key)))
    }

    /// Creates (or replaces the metadata of) an array; chunks are written with `ZarrArray.write`.
    @discardableResult
    public func createArray(_ path: String, metadata: ZarrArrayMetadata, attributes: JSONObject? = nil) throws -> ZarrArray {
        guard NPYHeader.descr(metadata.dtype) != nil else { throw EngramError(self.path(path), "dtype \(metadata.dtype.rawValue) cannot be stored in Zarr v2") }
        guard metadata.shape.count == metadata.chunks.count, metadata.chunks.allSatisfy({ $0 >= 1 }) else {
            throw EngramError(self.path(path), "chunks \(metadata.chunks) do not match shape \(metadata.shape)")
        }
        var m = metadata
        m.bigEndian = false
        try setMetadata(Self.join(path, ".zarray"), m.json)
        if let attributes { try setAttributes(path, attributes) }
        return ZarrArray(store: self, path: path, metadata: m)
    }
}
