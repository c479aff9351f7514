import Foundation

/// Klatt's digital resonator (Klatt 1980): y[n] = a·x[n] + b·y[n−1] + c·y[n−2] with
/// c = −e^(−2πBT), b = 2e^(−πBT)cos(2πFT), a = 1 − b − c (unity gain at 0 Hz).
/// F = centre frequency, B = bandwidth (Hz), T = sample period (s).
struct Resonator {
    var a = 1.0, b = 0.0, c = 0.0
    var y1 = 0.0, y2 = 0.0

    mutating func set(frequency f: Double, bandwidth bw: Double, samplePeriod t: Double) {
        let r = exp(-Double.pi * bw * t)
        c = -r * r
        b = 2 * r * cos(2 * Double.pi * f * t)
        a = 1 - b - c
    }

    @inline(__always) mutating func callAsFunction(_ x: Double) -> Double {
        let y = a * x + b * y1 + c * y2
        y2 = y1
        y1 = y
        return y
    }
}

/// Band-pass biquad with 0 dB gain at its centre (RBJ cookbook, "constant 0 dB peak gain"):
/// shapes frication and burst noise without the level depending on centre or bandwidth.
struct BandPass {
    var b0 = 0.0, b2 = 0.0, a1 = 0.0, a2 = 0.0
    var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0

    mutating func set(centre f: Double, bandwidth bw: Double, samplePeriod t: Double) {
        let w = 2 * Double.pi * f * t
        let alpha = sin(w) * f / (2 * max(bw, 1))
        let a0 = 1 + alpha
        b0 = alpha / a0; b2 = -alpha / a0
        a1 = -2 * cos(w) / a0; a2 = (1 - alpha) / a0
    }

    @inline(__always) mutating func callAsFunction(_ x: Double) -> Double {
        let y = b0 * x + b2 * x2 - a1 * y1 - a2 * y2
        x2 = x1; x1 = x
        y2 = y1; y1 = y
        return y
    }
}
