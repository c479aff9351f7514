import Foundation

/// The Slaney mel scale (Auditory Toolbox; librosa's default `htk=False`, torchaudio's
/// `mel_scale="slaney"`): linear below 1 kHz, logarithmic above.
///
///     mel(f) = 3 f / 200                              f < 1000 Hz
///     mel(f) = 15 + 27 · ln(f / 1000) / ln(6.4)       f ≥ 1000 Hz
public enum MelScale {
    static let minLogHz = 1000.0
    static let minLogMel = 15.0
    static let logStep = log(6.4) / 27.0

    /// Hz → mel.
    public static func mel(hz f: Double) -> Double {
        f < minLogHz ? 3 * f / 200 : minLogMel + log(f / minLogHz) / logStep
    }

    /// mel → Hz.
    public static func hz(mel m: Double) -> Double {
        m < minLogMel ? 200 * m / 3 : minLogHz * exp(logStep * (m - minLogMel))
    }
}
