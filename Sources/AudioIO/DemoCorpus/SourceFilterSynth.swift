import Foundation
import EngramCore

/// Renders an `UtterancePlan` with a source-filter model: a Rosenberg glottal pulse train (f0 contour
/// with declination and accents, per-cycle jitter and shimmer, aspiration noise) through a cascade of
/// four formant resonators, plus band-passed frication noise; lip radiation as a first difference.
/// Targets glide between segments (amplitudes ~5 ms, formants ~20 ms) for coarticulation.
enum SourceFilterSynth {
    /// Samples in [-1, 1]-ish (not normalised), `plan.totalSamples` long.
    static func render(_ plan: UtterancePlan, speaker: DemoSpeaker, sampleRate: Int, rng: inout SplitMix64) -> [Double] {
        let n = plan.totalSamples
        var out = [Double](repeating: 0, count: n)
        let sr = Double(sampleRate), T = 1 / sr
        let ampGlide = 1 - exp(-1 / (0.005 * sr)), formantGlide = 1 - exp(-1 / (0.020 * sr))
        let f0Base = speaker.f0 * rng.uniform(0.94, 1.06)
        let declination = rng.uniform(0.10, 0.25)

        func f0(at t: Double) -> Double {
            var f = f0Base * (1 + declination / 2 - declination * t / Double(max(n, 1)))
            for a in plan.accents {
                let z = (t - a.centre) / a.width
                if abs(z) < 4 { f *= 1 + a.height * exp(-z * z) }
            }
            return min(max(f, 50), 500)
        }
        func uniformNoise() -> Double { rng.nextDouble() * 2 - 1 }
        func gauss() -> Double { rng.normal() }

        var cascade = [Resonator](repeating: Resonator(), count: 4)
        var fric1 = BandPass(), fric2 = BandPass()
        // Smoothed parameters, starting at the first segment's targets.
        let s0 = plan.segments.first ?? UtterancePlan.Segment(samples: 0)
        var voicing = 0.0, aspiration = 0.0, frication = 0.0
        var fc = s0.fricationBand.centre, fbw = s0.fricationBand.bandwidth
        var F = [s0.formants.0, s0.formants.1, s0.formants.2, s0.formants.3]
        var B = [s0.bandwidths.0, s0.bandwidths.1, s0.bandwidths.2, s0.bandwidths.3]
        // Glottal cycle state.
        var phase = 0.0, period = sr / f0(at: 0), cycleAmp = 1.0
        var prev = 0.0
        let fricationGain = 0.5
        var i = 0
        for seg in plan.segments {
            let tF = [seg.formants.0, seg.formants.1, seg.formants.2, seg.formants.3]
            let tB = [seg.bandwidths.0, seg.bandwidths.1, seg.bandwidths.2, seg.bandwidths.3]
            for _ in 0..<seg.samples {
                voicing += (seg.voicing - voicing) * ampGlide
                aspiration += (seg.aspiration - aspiration) * ampGlide
                frication += (seg.frication - frication) * ampGlide
                if i % 16 == 0 {
                    for k in 0..<4 {
                        F[k] += (tF[k] - F[k]) * formantGlide * 16
                        B[k] += (tB[k] - B[k]) * formantGlide * 16
                        cascade[k].set(frequency: min(F[k], 0.45 * sr), bandwidth: B[k], samplePeriod: T)
                    }
                    fc += (seg.fricationBand.centre - fc) * min(1, ampGlide * 16)
                    fbw += (seg.fricationBand.bandwidth - fbw) * min(1, ampGlide * 16)
                    fric1.set(centre: min(fc, 0.45 * sr), bandwidth: fbw, samplePeriod: T)
                    fric2.set(centre: min(fc * 1.1, 0.46 * sr), bandwidth: fbw * 1.2, samplePeriod: T)
                }
                // Rosenberg pulse: rise over 2/3 of the open phase, fall over 1/3, closed after.
                phase += 1
                if phase >= period {
                    phase -= period
                    period = sr / f0(at: Double(i)) * (1 + speaker.jitter * gauss())
                    cycleAmp = 1 + speaker.shimmer * gauss()
                }
                let open = speaker.openQuotient * period
                let tp = open * 2 / 3, tn = open / 3
                let g: Double
                if phase < tp { g = 0.5 * (1 - cos(Double.pi * phase / tp)) }
                else if phase < tp + tn { g = cos(Double.pi / 2 * (phase - tp) / tn) }
                else { g = 0 }
                let noise = uniformNoise()
                let source = voicing * (cycleAmp * g + speaker.breathiness * noise * (g > 0 ? 1 : 0.3)) + aspiration * noise
                var v = source
                for k in 0..<4 { v = cascade[k](v) }
                let f = frication * fric2(fric1(uniformNoise())) * fricationGain
                let y = v + f
                out[i] = y - prev   // lip radiation
                prev = y
                i += 1
            }
        }
        return out
    }
}
