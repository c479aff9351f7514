import EngramCore
import Formats
import Foundation
import XCTest
import TestSupport
@testable import Phase0

/// A small tmpfs mounted for one test (needs root or CAP_SYS_ADMIN: true on these machines and in
/// CI). Root ignores permission bits, so "permission denied" is produced the way it still applies
/// to root: a read-only remount (EROFS), and, for a real EACCES, a run as the `nobody` user.
final class ScratchMount {
    let dir: URL
    private(set) var mounted = false

    /// Mounts a tmpfs of `size` (e.g. "64k") on a fresh folder; throws XCTSkip when mounting is not
    /// permitted here (the tests then cannot make a disk fill up or turn read-only).
    init(size: String) throws {
        dir = makeTempDir("scratch-mount")
        let r = try runProcess("mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", dir.path])
        guard r.status == 0 else {
            try? FileManager.default.removeItem(at: dir)
            throw XCTSkip("cannot mount a tmpfs here (\(r.err.trimmingCharacters(in: .whitespacesAndNewlines))); disk-full / read-only tests need root")
        }
        mounted = true
    }

    func remount(_ options: String) throws {
        let r = try runProcess("mount", ["-o", "remount,\(options)", dir.path])
        XCTAssertEqual(r.status, 0, r.err)
    }

    func unmount() {
        if mounted { _ = try? runProcess("umount", [dir.path]); mounted = false }
        try? FileManager.default.removeItem(at: dir)
    }

    deinit { unmount() }
}

final class DiskFaultTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        try requireOracle("flac", check: ["flac", "--version"])
        root = makeTempDir("disk-faults")
        try LatentsStepTests.makeCorpus(at: root.appendingPathComponent("LibriSpeech/tiny"))
    }

    override func tearDown() {
        if let root { try? FileManager.default.removeItem(at: root) }
    }

    func config(out: URL) throws -> Phase0Config {
        try Phase0Config.parse(yaml: """
        data: {librispeech_path: \(root.path)/LibriSpeech, subset: tiny, min_duration_sec: 3.0}
        vae: {encoder: mel, latent_dim: 16}
        splits: {n_train_speakers: 2, n_eval_speakers: 1}
        output: {latents_dir: \(out.path)/latents.zarr, latents_index: \(out.path)/latents_index.parquet, splits_dir: \(root.path)/splits}
        """, file: "faults.yaml")
    }

    func snapshot(_ dir: URL) throws -> [String: Data] {
        var out = [String: Data]()
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return out }
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir.path + "/" + rel, isDirectory: &isDir), !isDir.boolValue {
                out[rel] = try Data(contentsOf: dir.appendingPathComponent(rel))
            }
        }
        return out
    }

    /// The store fills a 48 KiB disk part-way: the error says the disk is full and names a file in
    /// the store; every group already there is whole (no half-written group is visible); after
    /// more room, a rerun keeps those groups and ends byte-identical to a run that never failed.
    func testLatentsOnAFullDisk() throws {
        let reference = try config(out: root.appendingPathComponent("ref"))
        _ = try SplitsStep.run(config: reference, progress: false)
        _ = try LatentsStep.run(config: reference, workers: 1, progress: false)

        let disk = try ScratchMount(size: "48k")
        defer { disk.unmount() }
        let c = try config(out: disk.dir)
        XCTAssertThrowsError(try LatentsStep.run(config: c, workers: 1, progress: false)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("No space left on device") && m.contains(disk.dir.path), m)
            print("disk full: \(m)")
        }
        let store = try LatentStore(openAt: URL(fileURLWithPath: c.output.latentsDir), useConsolidated: false)
        let written = try store.utteranceIDs()
        XCTAssertGreaterThan(written.count, 0, "some groups fit before the disk filled")
        XCTAssertLessThan(written.count, 4)
        let ref = try LatentStore(openAt: URL(fileURLWithPath: reference.output.latentsDir))
        for id in written { XCTAssertEqual(try store.read(id), try ref.read(id), "\(id) must be whole") }
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: c.output.latentsDir).contains { $0.contains(".tmp-") },
                       "the failed group's staging folder is removed")

        try disk.remount("size=4m")
        let again = try LatentsStep.run(config: c, workers: 1, progress: false)
        XCTAssertEqual(again.skipped, written.count)
        XCTAssertEqual(again.encoded, 4 - written.count)
        XCTAssertEqual(try snapshot(URL(fileURLWithPath: c.output.latentsDir)), try snapshot(URL(fileURLWithPath: reference.output.latentsDir)))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: c.output.latentsIndex)), try Data(contentsOf: URL(fileURLWithPath: reference.output.latentsIndex)))
    }

    /// A complete store on a file system that turned read-only: a run that needs to write (one
    /// utterance was removed from the store beforehand) fails saying so, and leaves every file as it was.
    func testLatentsOnAReadOnlyFileSystem() throws {
        let disk = try ScratchMount(size: "4m")
        defer { disk.unmount() }
        let c = try config(out: disk.dir)
        _ = try SplitsStep.run(config: c, progress: false)
        _ = try LatentsStep.run(config: c, workers: 1, progress: false)
        try FileManager.default.removeItem(atPath: c.output.latentsDir + "/22-100-0000")
        let before = try snapshot(disk.dir)
        try disk.remount("ro")
        XCTAssertThrowsError(try LatentsStep.run(config: c, workers: 1, progress: false)) { e in
            let m = "\(e)"
            XCTAssertTrue(m.contains("Read-only file system") && m.contains(disk.dir.path), m)
            print("read-only: \(m)")
        }
        XCTAssertEqual(try snapshot(disk.dir), before)
    }

    /// A real EACCES: `engram phase0 latents` run as the unprivileged `nobody` user into a folder
    /// only root may write. The message names the folder and says permission was denied.
    func testPermissionDeniedForAnUnprivilegedUser() throws {
        guard getuid() == 0, (try? runProcess("runuser", ["-u", "nobody", "--", "true"]).status) == 0 else {
            throw XCTSkip("needs root and runuser to act as another user")
        }
        let exe = try requireEngram()
        // nobody must be able to reach the executable, the corpus and the config.
        for p in [root.path, exe] where !canTraverse(p) { throw XCTSkip("\(p) is not readable by other users") }
        let out = root.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let c = try config(out: out)
        _ = try SplitsStep.run(config: c, progress: false)
        let yaml = root.appendingPathComponent("faults.yaml")
        try """
        data: {librispeech_path: \(root.path)/LibriSpeech, subset: tiny, min_duration_sec: 3.0}
        vae: {encoder: mel, latent_dim: 16}
        splits: {n_train_speakers: 2, n_eval_speakers: 1}
        output: {latents_dir: \(out.path)/latents.zarr, latents_index: \(out.path)/latents_index.parquet, splits_dir: \(root.path)/splits}
        """.write(to: yaml, atomically: true, encoding: .utf8)
        chmod(yaml.path, 0o644)
        let r = try runProcess("runuser", ["-u", "nobody", "--", exe, "phase0", "latents", "--config", yaml.path])
        XCTAssertEqual(r.status, 2, r.out + r.err)
        print("as nobody: \(r.err)")
        XCTAssertTrue(r.err.contains("error:") && r.err.contains(out.path) && r.err.lowercased().contains("permission"), r.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [], "nothing written")
    }

    /// True when every folder on the way to `path` lets other users through (o+x).
    func canTraverse(_ path: String) -> Bool {
        var p = URL(fileURLWithPath: path)
        while p.path != "/" {
            p.deleteLastPathComponent()
            guard let a = try? FileManager.default.attributesOfItem(atPath: p.path), let m = a[.posixPermissions] as? Int, m & 0o001 != 0 else { return false }
        }
        return true
    }
}
