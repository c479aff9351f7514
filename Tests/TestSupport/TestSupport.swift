import Foundation
import XCTest

/// Root of the repository (found from this file's path), for fixtures and scripts.
public let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `Tests/Fixtures/<sub>`.
public func fixtureURL(_ sub: String) -> URL { repoRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(sub) }

/// A fresh temporary folder, removed at process exit is not guaranteed; callers may delete it.
public func makeTempDir(_ prefix: String = "engram-test") -> URL {
    let u = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
    return u
}

/// True when running under CI (`CI=true`): oracle tests must not skip there.
public var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

/// Runs a program, returning (status, stdout, stderr).
@discardableResult
public func runProcess(_ exe: String, _ args: [String], cwd: URL? = nil, env: [String: String]? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [exe] + args
    if let cwd { p.currentDirectoryURL = cwd }
    if let env { p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 } }
    let o = Pipe(), e = Pipe()
    p.standardOutput = o; p.standardError = e
    try p.run()
    // Read both pipes concurrently to avoid deadlock on large outputs.
    var outData = Data(), errData = Data()
    let g = DispatchGroup()
    g.enter(); DispatchQueue.global().async { outData = o.fileHandleForReading.readDataToEndOfFile(); g.leave() }
    g.enter(); DispatchQueue.global().async { errData = e.fileHandleForReading.readDataToEndOfFile(); g.leave() }
    p.waitUntilExit(); g.wait()
    return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// Skips (locally) or fails (in CI) when an external oracle is unavailable.
/// `check` is a shell command that exits 0 when the oracle is usable, e.g. `python3 -c 'import zarr'`.
public func requireOracle(_ name: String, check: [String]) throws {
    let ok = (try? runProcess(check[0], Array(check.dropFirst())).status) == 0
    if ok { return }
    if isCI { XCTFail("oracle \(name) missing in CI (.ci/run must install it)"); throw XCTSkip("failed") }
    throw XCTSkip("oracle \(name) not installed")
}

/// max |a - b| over two equal-length arrays.
public func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "length mismatch \(a.count) vs \(b.count)")
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m
}

/// max |a - b| / max |b|.
public func relMaxDiff(_ a: [Float], _ ref: [Float]) -> Float {
    let d = maxAbsDiff(a, ref)
    let m = ref.reduce(Float(0)) { max($0, abs($1)) }
    return m > 0 ? d / m : d
}

/// The `engram` executable built next to the test bundle by `swift build` (else `.build/debug/engram`).
/// Skips the test locally when it was not built; fails it under CI, where `.ci/run` builds it first.
public func requireEngram() throws -> String {
    let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for dir in [bundleDir, bundleDir.deletingLastPathComponent()] {
        let p = dir.appendingPathComponent("engram").path
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    let fallback = repoRoot.appendingPathComponent(".build/debug/engram").path
    if FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
    if isCI { XCTFail("engram executable not built in CI (.ci/run runs swift build first)"); throw XCTSkip("failed") }
    throw XCTSkip("engram not built (run swift build)")
}
