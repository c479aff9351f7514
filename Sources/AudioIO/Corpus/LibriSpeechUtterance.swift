import Foundation

/// One utterance of a LibriSpeech-layout corpus, described from its folder, name and FLAC header.
public struct LibriSpeechUtterance: Equatable, Sendable, Identifiable {
    /// `<speaker>-<chapter>-<utterance>`, the file name without `.flac`.
    public var id: String
    public var speakerID: Int
    public var chapterID: Int
    /// Absolute path of the `.flac` file.
    public var path: String
    /// Hz, from STREAMINFO.
    public var sampleRate: Int
    public var channels: Int
    public var bitsPerSample: Int
    /// Samples per channel, from STREAMINFO.
    public var samples: Int
    /// Transcript line text; nil when the chapter's transcript is missing or lacks the utterance.
    public var transcript: String?

    /// Seconds: samples / sampleRate (as `torchaudio.info`'s num_frames / sample_rate).
    public var duration: Double { Double(samples) / Double(sampleRate) }

    public init(id: String, speakerID: Int, chapterID: Int, path: String, sampleRate: Int, channels: Int,
                bitsPerSample: Int, samples: Int, transcript: String?) {
        self.id = id; self.speakerID = speakerID; self.chapterID = chapterID; self.path = path
        self.sampleRate = sampleRate; self.channels = channels; self.bitsPerSample = bitsPerSample
        self.samples = samples; self.transcript = transcript
    }
}
