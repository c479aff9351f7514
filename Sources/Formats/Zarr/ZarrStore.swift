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
    /// The open root folder; every key is opened relative to it.
    let dir: Directory
    private let lock = NSLock()
    private var consolidated: [String: JSONValue]?

    /// Opens an existing store (root must be a folder). `useConsolidated` reads `.zmetadata` if present.
    public init(root: URL, useConsolidated: Bool = true) throws {
        self.root = root
        guard FileIO.isDirectory(root.path) else { throw EngramError(root.path, "Zarr store folder not found") }
        dir = try Directory(root.path)
        if useConsolidated { try loadConsolidated() }
    }

    /// Creates the store folder and a root group (keeping an existing one).
    public static func create(root: URL) throws -> ZarrStore {
        try FileIO.makeDirectory(root.path)
        let d = try Directory(root.path)
        if !d.exists(".zgroup") { try d.writeFile(zgroupText, ".zgroup") }
        return try ZarrStore(root: root)
    }

    static let zgroupText = JSON.serialize(.object(JSONObject([("zarr_format", .int(2))])))

    // MARK: keys and metadata

    /// File path of a key ("a/b/.zarray"), for messages.
    public func path(_ key: String) -> String { dir.full(key) }

    static func join(_ a: String, _ b: String) -> String { a.isEmpty ? b : a + "/" + b }

    private func loadConsolidated() throws {
        let p = path(".zmetadata")
        guard let v = try dir.withFileBytes(".zmetadata", { try $0.map { try JSON.parse($0, location: p) } }) else { return }
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
        return try dir.withFileBytes(key) { try $0.map { try JSON.parse($0, location: path(key)) } }
    }

    /// Writes a metadata document (zarr-python's JSON layout) and invalidates `.zmetadata`.
    public func setMetadata(_ key: String, _ value: JSONValue) throws {
        try invalidateConsolidated()
        let parent = (key as NSString).deletingLastPathComponent
        if !parent.isEmpty { try dir.makeDirectories(parent) }
        try dir.writeFile(JSON.serialize(value), key)
    }

    /// Removes `.zmetadata` (it would no longer describe the store).
    public func invalidateConsolidated() throws {
        lock.lock()
        let had = consolidated != nil
        consolidated = nil
        lock.unlock()
        if had || dir.exists(".zmetadata") { try dir.removeFile(".zmetadata") }
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
        if let names = try dir.list(path) {
            for n in names where !n.hasPrefix(".") {
                let child = Self.join(path, n)
                if dir.exists(child + "/.zgroup") { groups.insert(n) } else if dir.exists(child + "/.zarray") { arrays.insert(n) }
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
                if let v = try dir.withFileBytes(key, { try $0.map { try JSON.parse($0, location: path(key)) } }) { meta[key] = v }
            }
            guard let names = try dir.list(rel) else { return }
            for n in names.sorted() where !n.hasPrefix(".") {
                let child = Self.join(rel, n)
                if dir.exists(child + "/.zgroup") || dir.exists(child + "/.zarray") { try walk(child) }
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
