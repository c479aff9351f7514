import Foundation

/// Progress of a long step on stderr (items/s, ETA), shown only when stderr is a terminal.
/// Thread-safe; updates are rate-limited to ~4 per second.
public final class ProgressReporter: @unchecked Sendable {
    public let label: String
    public let total: Int
    private let lock = NSLock()
    private var done = 0
    private let start = Date()
    private var lastPrint = Date.distantPast
    private let enabled: Bool

    public init(_ label: String, total: Int, enabled: Bool? = nil) {
        self.label = label
        self.total = total
        self.enabled = enabled ?? (isatty(STDERR_FILENO) != 0)
    }

    /// Records `n` more finished items.
    public func advance(_ n: Int = 1) {
        lock.lock(); defer { lock.unlock() }
        done += n
        guard enabled else { return }
        let now = Date()
        if now.timeIntervalSince(lastPrint) < 0.25 && done < total { return }
        lastPrint = now
        let el = now.timeIntervalSince(start)
        let rate = el > 0 ? Double(done) / el : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "\r%@ %d/%d  %.1f items/s  ETA %@   ", label, done, total, rate, Self.format(eta))
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Ends the progress line.
    public func finish() {
        guard enabled else { return }
        let el = Date().timeIntervalSince(start)
        FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d done in %@            \n", label, done, total, Self.format(el)).utf8))
    }

    static func format(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%dh%02dm", t / 3600, (t / 60) % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}

/// Writes a line to stderr.
public func printErr(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
