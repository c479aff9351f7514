import EngramCore

/// Train/eval speaker split (SPEC §1, the research pipeline's `create_speaker_splits`):
/// ids sorted ascending, shuffled with `random.Random(seed).shuffle`, the first `nTrain` are train,
/// the next `nEval` eval, each list sorted. Requires nTrain + nEval ≤ ids.count.
public func splitSpeakers(_ ids: [Int], nTrain: Int, nEval: Int, seed: Int) -> (train: [Int], eval: [Int]) {
    precondition(nTrain >= 0 && nEval >= 0 && nTrain + nEval <= ids.count, "not enough speakers")
    var shuffled = ids.sorted()
    var rng = PythonRandom(seed: seed)
    rng.shuffle(&shuffled)
    return (Array(shuffled[0..<nTrain]).sorted(), Array(shuffled[nTrain..<(nTrain + nEval)]).sorted())
}

/// Utterance hold-out inside the train speakers (SPEC §1, `create_utterance_splits`): the train
/// utterance ids sorted (string order), shuffled with a fresh `random.Random(seed)`; the first
/// `Int(n · holdoutFrac)` (truncated, as Python's `int()`) are `val`, the rest `train`, each sorted.
public func holdOutUtterances(_ trainUtterances: [String], holdoutFrac: Double, seed: Int) -> (train: [String], val: [String]) {
    var shuffled = trainUtterances.sorted(by: pythonStringOrder)
    var rng = PythonRandom(seed: seed)
    rng.shuffle(&shuffled)
    let nVal = Int(Double(shuffled.count) * holdoutFrac)
    return (Array(shuffled[nVal...]).sorted(by: pythonStringOrder), Array(shuffled[..<nVal]).sorted(by: pythonStringOrder))
}

/// Python's `str` ordering: by Unicode code points (Swift's `<` on String compares by canonical
/// equivalence, which differs for some non-ASCII text).
public func pythonStringOrder(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) { $0.value < $1.value }
}
