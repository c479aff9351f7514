import EngramCore

/// Which frames are analysed and which frames form their contexts (SPEC §3).
///
/// For window W and lags {L}: the valid target frames of an utterance with T frames are
/// t ∈ [max(W − 1 + max L, 1), T) — the same set for every lag — and the context of target t at
/// lag L is the W frames x[t − L − W + 1 … t − L], **inclusive** (its last frame is x[t − L]).
public struct ContextGeometry: Equatable, Sendable {
    /// W, frames.
    public let windowSize: Int
    /// L values, frames, in config order.
    public let lags: [Int]

    public init(windowSize: Int, lags: [Int]) throws {
        guard windowSize >= 1 else { throw EngramError("context.window_size", "must be at least 1 (got \(windowSize))") }
        guard !lags.isEmpty, lags.allSatisfy({ $0 >= 1 }) else {
            throw EngramError("context.lags", "need at least one lag, each ≥ 1 (got \(lags))")
        }
        self.windowSize = windowSize
        self.lags = lags
    }

    public init(_ config: Phase0Config) throws {
        try self.init(windowSize: config.context.windowSize, lags: config.context.lags)
    }

    public var maxLag: Int { lags.max() ?? 1 }

    /// First valid target frame: max(W − 1 + max L, 1).
    public var firstValidFrame: Int { max(windowSize - 1 + maxLag, 1) }

    /// Valid target frames of an utterance with `nFrames` frames (empty when it is too short).
    public func validFrames(nFrames: Int) -> Range<Int> {
        let first = firstValidFrame
        return first < nFrames ? first..<nFrames : first..<first
    }

    /// Minimum utterance length (frames) with at least one valid target frame.
    public var minimumFrames: Int { firstValidFrame + 1 }

    /// First frame of the context of target `t` at lag `lag`: t − lag − W + 1.
    public func contextStart(target t: Int, lag: Int) -> Int { t - lag - windowSize + 1 }

    /// Context frames of target `t` at lag `lag`: t − L − W + 1 … t − L (inclusive).
    public func contextFrames(target t: Int, lag: Int) -> ClosedRange<Int> {
        contextStart(target: t, lag: lag)...(t - lag)
    }
}
