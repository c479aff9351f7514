import Foundation

/// The project's error: always says *where* (file, key, utterance, byte offset) and *what* was expected.
public struct EngramError: Error, CustomStringConvertible, LocalizedError, Equatable {
    /// Where the problem is: a file path, optionally with a location inside it (key, offset, utterance id).
    public var location: String
    /// What is wrong and, where useful, what was expected.
    public var message: String

    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { location.isEmpty ? message : "\(location): \(message)" }
    public var errorDescription: String? { description }
}
