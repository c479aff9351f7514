import EngramCore
import Formats
import Foundation

extension LatentsStep {
    /// Where shards leave their part of the index and their failure lists until `engram phase0
    /// merge`: `<folder of output.latents_index>/latents_shards/`.
    public static func shardsFolder(config: Phase0Config) -> URL {
        URL(fileURLWithPath: config.output.latentsIndex).deletingLastPathComponent().appendingPathComponent("latents_shards")
    }

    /// `latents_shards/index.shard-IIII-of-NNNN.parquet` (same columns as `latents_index.parquet`).
    public static func shardIndexURL(config: Phase0Config, shard: LatentShard) -> URL {
        shardsFolder(config: config).appendingPathComponent("index.\(shard.tag).parquet")
    }

    /// `latents_shards/failures.shard-IIII-of-NNNN.txt`.
    public static func shardFailuresURL(config: Phase0Config, shard: LatentShard) -> URL {
        shardsFolder(config: config).appendingPathComponent("failures.\(shard.tag).txt")
    }

    /// Opens the store at `root`, or creates it atomically: `.zgroup` and the root `.zattrs` are
    /// written into a hidden sibling folder that is renamed into place, so a store never exists
    /// half-made (after a crash, or while another shard is creating it at the same moment: the
    /// loser of the rename race opens the winner's store).
    static func openOrCreateStore(_ root: URL, attributes: [String: JSONValue]) throws -> LatentStore {
        let fm = FileManager.default
        if !fm.fileExists(atPath: root.appendingPathComponent(".zgroup").path) {
            let parent = root.deletingLastPathComponent()
            do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) } catch {
                throw EngramError(parent.path, "cannot create folder: \(posixReason(error))")
            }
            let staging = parent.appendingPathComponent(".\(root.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            defer { try? fm.removeItem(at: staging) }
            let attrs = JSONObject(attributes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            do {
                try fm.createDirectory(at: staging, withIntermediateDirectories: false)
                try Data(JSON.serialize(.object(JSONObject([("zarr_format", .int(2))]))).utf8)
                    .write(to: staging.appendingPathComponent(".zgroup"))
                try Data(JSON.serialize(.object(attrs)).utf8).write(to: staging.appendingPathComponent(".zattrs"))
            } catch {
                throw EngramError(root.path, "cannot create the latents store: \(posixReason(error))")
            }
            if rename(staging.path, root.path) != 0 {
                let err = errno
                // ENOTEMPTY / EEXIST: someone else made it first (or an older empty-ish folder is there).
                if err != ENOTEMPTY && err != EEXIST {
                    throw EngramError(root.path, "cannot create the latents store (\(String(cString: strerror(err))))")
                }
            }
        }
        if fm.fileExists(atPath: root.appendingPathComponent(".zgroup").path) {
            return try LatentStore(openAt: root, useConsolidated: false)
        }
        // An existing folder without .zgroup (e.g. made by hand): add the group marker.
        return try LatentStore(createAt: root)
    }
}

/// The system's wording for a Foundation file error ("Permission denied", "No space left on
/// device", "Read-only file system"), falling back to Foundation's description.
func posixReason(_ error: Error) -> String {
    let ns = error as NSError
    if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(u.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if let c = error as? CocoaError {
        switch c.code {
        case .fileWriteNoPermission, .fileReadNoPermission: return String(cString: strerror(EACCES))
        case .fileWriteOutOfSpace: return String(cString: strerror(ENOSPC))
        case .fileWriteVolumeReadOnly: return String(cString: strerror(EROFS))
        default: break
        }
    }
    return error.localizedDescription
}
