import Foundation
import EngramCore

/// A problem with one corpus file or folder: where (path, optionally `path:line`) and what.
/// Under `data.on_error: fail` the scan stops with an `EngramError`; under `skip` the item is left
/// out and the issue is listed in `failures.txt`.
public struct CorpusIssue: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// `failures.txt` contents: one "path: message" line per issue, in scan order.
    public static func failuresText(_ issues: [CorpusIssue]) -> String {
        issues.map { $0.description + "\n" }.joined()
    }

    /// The error raised under `on_error: fail`: the first issue, with a count of the others.
    static func failure(_ issues: [CorpusIssue]) -> EngramError {
        let first = issues[0]
        var msg = first.message
        if issues.count > 1 { msg += " (and \(issues.count - 1) more problem\(issues.count == 2 ? "" : "s"): \(issues.dropFirst().prefix(3).map(\.description).joined(separator: "; "))\(issues.count > 4 ? "; …" : ""))" }
        msg += ". Set data.on_error: skip to leave such files out and list them in failures.txt"
        return EngramError(first.path, msg)
    }
}
