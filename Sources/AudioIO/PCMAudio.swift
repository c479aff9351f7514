/// Integer PCM audio, planar: `channels[c][t]`, each sample a signed integer of `bitsPerSample` bits
/// (range −2^(bits−1) ..< 2^(bits−1)), all channels the same length.
public struct PCMAudio: Equatable, Sendable {
    public var channels: [[Int32]]
    /// Samples per second per channel.
    public var sampleRate: Int
    /// Bits per sample, 4...32.
    public var bitsPerSample: Int

    public init(channels: [[Int32]], sampleRate: Int, bitsPerSample: Int) {
        self.channels = channels
        self.sampleRate = sampleRate
        self.bitsPerSample = bitsPerSample
    }

    /// Builds planar audio from interleaved samples `[t * channelCount + c]`.
    public init(interleaved: [Int32], channelCount: Int, sampleRate: Int, bitsPerSample: Int) {
        precondition(channelCount > 0 && interleaved.count % channelCount == 0, "interleaved length not a multiple of the channel count")
        let n = interleaved.count / channelCount
        var chans = [[Int32]]()
        for c in 0..<channelCount {
            chans.append([Int32](unsafeUninitializedCapacity: n) { b, count in
                for t in 0..<n { b[t] = interleaved[t * channelCount + c] }
                count = n
            })
        }
        self.init(channels: chans, sampleRate: sampleRate, bitsPerSample: bitsPerSample)
    }

    public var channelCount: Int { channels.count }
    /// Samples per channel.
    public var frameCount: Int { channels.first?.count ?? 0 }
    /// Duration in seconds.
    public var duration: Double { sampleRate > 0 ? Double(frameCount) / Double(sampleRate) : 0 }

    /// Interleaved samples `[t * channelCount + c]`.
    public func interleaved() -> [Int32] {
        let nc = channelCount, n = frameCount
        if nc == 1 { return channels[0] }
        return [Int32](unsafeUninitializedCapacity: n * nc) { b, count in
            for c in 0..<nc {
                channels[c].withUnsafeBufferPointer { src in
                    for t in 0..<n { b[t * nc + c] = src[t] }
                }
            }
            count = n * nc
        }
    }

    /// Scale that maps integer samples to [-1, 1): 1 / 2^(bits−1) (the torchaudio / soundfile convention).
    public var floatScale: Float { 1 / Float(sign: .plus, exponent: bitsPerSample - 1, significand: 1) }

    /// Per-channel float samples, `sample / 2^(bits−1)`.
    public func floatChannels() -> [[Float]] {
        let s = floatScale
        return channels.map { ch in ch.map { Float($0) * s } }
    }

    /// Mono float samples in [-1, 1]: the mean of the channels (as torchaudio's `waveform.mean(dim=0)`).
    public func monoFloat() -> [Float] {
        let s = floatScale
        if channelCount == 1 { return channels[0].map { Float($0) * s } }
        let n = frameCount, nc = Float(channelCount)
        var out = [Float](repeating: 0, count: n)
        for ch in channels { for t in 0..<n { out[t] += Float(ch[t]) * s } }
        for t in 0..<n { out[t] /= nc }
        return out
    }
}

/// Floating-point audio, planar: `channels[c][t]`, nominal range [-1, 1].
public struct FloatAudio: Equatable, Sendable {
    public var channels: [[Float]]
    /// Samples per second per channel.
    public var sampleRate: Int

    public init(channels: [[Float]], sampleRate: Int) {
        self.channels = channels
        self.sampleRate = sampleRate
    }

    public var channelCount: Int { channels.count }
    public var frameCount: Int { channels.first?.count ?? 0 }

    /// The mean of the channels.
    public func mono() -> [Float] {
        if channelCount == 1 { return channels[0] }
        let n = frameCount, nc = Float(channelCount)
        var out = [Float](repeating: 0, count: n)
        for ch in channels { for t in 0..<n { out[t] += ch[t] } }
        for t in 0..<n { out[t] /= nc }
        return out
    }
}
