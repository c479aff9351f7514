import EngramCore

/// A problem found while parsing a FLAC stream, before the file path is attached.
/// `byteOffset` is counted from the start of the file (or `Data`) being decoded.
struct FLACFormatError: Error {
    var message: String
    var byteOffset: Int

    init(_ message: String, at byteOffset: Int) {
        self.message = message
        self.byteOffset = byteOffset
    }

    /// The project error: "`path`: `message` at byte offset N".
    func engramError(path: String) -> EngramError {
        EngramError(path, "\(message) at byte offset \(byteOffset)")
    }
}
