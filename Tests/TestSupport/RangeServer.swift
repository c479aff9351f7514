import Foundation
import XCTest
import TestSupport

/// scripts/range_http_server.py (an HTTP file server with byte ranges) on 127.0.0.1 at a free
/// port, for download tests; stopped by `stop()` or deinit. Needs python3.
public final class RangeServer {
    let process = Process()
    public let port: Int
    let log: URL

    public init(root: URL, options: [String] = []) throws {
        try requireOracle("python3", check: ["python3", "-c", "import http.server"])
        log = root.appendingPathComponent("requests.log")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repoRoot.appendingPathComponent("scripts/range_http_server.py").path,
                             "--root", root.path, "--log", log.path] + options
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // First line: "PORT <n>".
        var line = Data()
        while let b = try out.fileHandleForReading.read(upToCount: 1), !b.isEmpty, b != Data("\n".utf8) { line += b }
        guard let p = Int(String(decoding: line, as: UTF8.self).replacingOccurrences(of: "PORT ", with: "")) else {
            process.terminate()
            throw NSError(domain: "RangeServer", code: 1, userInfo: [NSLocalizedDescriptionKey: "range server did not start: \(String(decoding: line, as: UTF8.self))"])
        }
        port = p
    }

    public func url(_ name: String) -> URL { URL(string: "http://127.0.0.1:\(port)/\(name)")! }

    /// Logged requests: "GET /name bytes=N-" or "GET /name -".
    public var requests: [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }

    deinit { stop() }
}
