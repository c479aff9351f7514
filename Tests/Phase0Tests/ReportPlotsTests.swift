import XCTest
import EngramCore
import Formats
@testable import Phase0
import TestSupport
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The report's plots on a small synthetic run: each plot's data against a direct computation from
/// the latents, labels and distances, the VR-vs-K sweep against metrics.json and the planted
/// structure, and every SVG parsed as XML with its title and axis labels present.
final class ReportPlotsTests: XCTestCase {
    static let conditions = """
        - name: mean_vq6
          type: mean_pool_vq
          k: 6
        - name: pca3_vq5
          type: pca_vq
          pca_dim: 3
          k: 5
        - name: pca2_quartile
          type: pca_quartile
          pca_dim: 2
    """

    /// frames → fit (with a small K sweep) → evaluate → report on a planted 3-regime corpus; shared by the tests.
    static let run: Result<(Phase0Config, RegimeProcess), Error> = Result {
        var p = RegimeProcess()
        p.speakers = 10; p.utterancesPerSpeaker = 6; p.frames = 40; p.dim = 10; p.regimes = 3; p.noise = 0.6
        let dir = makeTempDir("report-plots")
        try SyntheticCorpus(p).write(to: dir, conditionsYAML: conditions, minClusterSize: 15)
        let layout = SyntheticCorpus.Layout(dir)
        var yaml = try String(contentsOf: layout.config, encoding: .utf8)
        yaml = yaml.replacingOccurrences(of: "lags: [1, 2, 4]", with: "lags: [1, 3]")
            .replacingOccurrences(of: "n_init: 10", with: "n_init: 4")
            .replacingOccurrences(of: "  holdout: true", with: "  holdout: true\n  k_sweep: [2, 3, 12]\n  k_sweep_max_samples: 600")
        try AtomicFile.write(yaml, to: layout.config)
        let c = try Phase0Config.load(file: layout.config.path)
        let quiet: (String) -> Void = { _ in }
        try Phase0Steps.frames(config: c, log: quiet)
        try Phase0Steps.fit(config: c, log: quiet)
        try Phase0Steps.evaluate(config: c, log: quiet)
        return (c, p)
    }

    func setUpRun() throws -> (Phase0Config, RegimeProcess) { try Self.run.get() }

    /// Normalised targets of every frame, computed here from the latents and the saved μ, σ.
    func targets(_ c: Phase0Config) throws -> (FrameTable, NormalizedTargets) {
        let table = try FrameTable.read(from: URL(fileURLWithPath: c.output.framesIndex))
        let store = try ZarrLatents(path: c.output.latentsDir)
        let corpus = try LatentCorpus.load(table: table, store: store, expectedDim: c.vae.latentDim, geometry: try ContextGeometry(c),
                                           framesFile: c.output.framesIndex)
        let norm = try NormStats.read(from: ConditioningFiles(config: c).normStats(lag: 1), dim: c.vae.latentDim)
        return (table, try NormalizedTargets(consuming: corpus, table: table, norm: norm))
    }

    /// Two-pass VR of `samples` grouped by `group` (own means), in Double.
    func directVR(_ z: NormalizedTargets, _ samples: [Int], _ group: [Int]) -> Double {
        let d = z.dim
        var sums: [Int: [Double]] = [:], counts: [Int: Int] = [:]
        var mean = [Double](repeating: 0, count: d)
        for (s, g) in zip(samples, group) {
            let r = z.z(s)
            sums[g, default: [Double](repeating: 0, count: d)] = zip(sums[g] ?? [Double](repeating: 0, count: d), (0..<d).map { Double(r[$0]) }).map { $0 + $1 }
            counts[g, default: 0] += 1
            for j in 0..<d { mean[j] += Double(r[j]) }
        }
        for j in 0..<d { mean[j] /= Double(samples.count) }
        var within = 0.0, total = 0.0
        for (s, g) in zip(samples, group) {
            let r = z.z(s), m = sums[g]!.map { $0 / Double(counts[g]!) }
            for j in 0..<d {
                within += (Double(r[j]) - m[j]) * (Double(r[j]) - m[j])
                total += (Double(r[j]) - mean[j]) * (Double(r[j]) - mean[j])
            }
        }
        return within / total
    }

    func testPlotDataMatchesDirectComputation() throws {
        let (c, _) = try setUpRun()
        let (table, z) = try targets(c)
        let files = ConditioningFiles(config: c)
        let records = try MetricsFile.read(from: URL(fileURLWithPath: c.output.metricsFile))
        let train = (0..<table.count).filter { table.split(ofFrame: $0) == .train }
        let eval = (0..<table.count).filter { table.split(ofFrame: $0) != .train }
        for cond in c.clustering.conditions {
            let d = try XCTUnwrap(try ClusterPlotData.read(ClusterPlotData.url(files, condition: cond.name, lag: 1)), cond.name)
            let labels = try NPY.read(files.labels(cond.name, lag: 1)).int32s().map(Int.init)
            let distances = try NPY.read(files.distances(cond.name, lag: 1)).floats()
            var size = [Int: Int]()
            for i in train { size[labels[i], default: 0] += 1 }

            // Sizes, effective flags and within-cluster variance per id.
            XCTAssertEqual(d.clusterIds, size.keys.sorted(), cond.name)
            XCTAssertEqual(d.clusterSizes.reduce(0, +), train.count)
            for (j, id) in d.clusterIds.enumerated() {
                XCTAssertEqual(d.clusterSizes[j], size[id])
                XCTAssertEqual(d.effective[j], size[id]! >= c.clustering.minClusterSize)
                let members = train.filter { labels[$0] == id }
                var ss = 0.0
                var m = [Double](repeating: 0, count: z.dim)
                for i in members { for k in 0..<z.dim { m[k] += Double(z.z(i)[k]) / Double(members.count) } }
                for i in members { for k in 0..<z.dim { ss += (Double(z.z(i)[k]) - m[k]) * (Double(z.z(i)[k]) - m[k]) } }
                XCTAssertEqual(d.withinVariance[j], ss / Double(members.count * z.dim), accuracy: 1e-9 * max(1, ss), "\(cond.name) id \(id)")
            }

            // VR vs kept fraction: f = 1 is the metrics.json VR; f = 0.5 and 0.25 recomputed directly.
            let conf = try XCTUnwrap(d.confidence, cond.name)
            let rec = try XCTUnwrap(records.first { $0.condition == cond.name && $0.lag == 1 && $0.slice == "all" })
            XCTAssertEqual(conf.fractions.last, 1)
            XCTAssertEqual(conf.train.varianceRatio.last!, rec.train.varianceRatio, accuracy: 1e-9, cond.name)
            XCTAssertEqual(conf.eval.varianceRatio.last!, rec.eval.varianceRatio, accuracy: 1e-9, cond.name)
            XCTAssertEqual(conf.train.nSamples.last, rec.train.nSamples)
            XCTAssertEqual(conf.eval.nSamples.last, rec.eval.nSamples)
            for (split, curve) in [(train, conf.train), (eval, conf.eval)] {
                let included = split.filter { (size[labels[$0]] ?? 0) >= c.clustering.minClusterSize }
                    .sorted { (distances[$0], $0) < (distances[$1], $1) }
                for f in [0.25, 0.5] {
                    let b = conf.fractions.firstIndex(of: f)!
                    let kept = Array(included.prefix(Int((f * Double(included.count)).rounded())))
                    XCTAssertEqual(curve.nSamples[b], kept.count)
                    XCTAssertEqual(curve.varianceRatio[b], directVR(z, kept, kept.map { labels[$0] }), accuracy: 1e-9, "\(cond.name) f=\(f)")
                }
                // Confident halves of planted regimes are at least as structured as the whole (sanity, not exactness).
                XCTAssertLessThanOrEqual(curve.varianceRatio[conf.fractions.firstIndex(of: 0.5)!], curve.varianceRatio.last! + 0.05)
            }

            // Mean PCA: centred, uncorrelated coordinates carrying the stated share of the between-cluster variance,
            // PC1 at least as large as any single axis.
            let pca = try XCTUnwrap(d.meanPCA, cond.name)
            let effIds = d.clusterIds.enumerated().filter { d.effective[$0.offset] }.map(\.element)
            XCTAssertEqual(pca.ids, effIds)
            let means = effIds.map { id -> [Double] in
                let mem = train.filter { labels[$0] == id }
                return (0..<z.dim).map { k in mem.reduce(0.0) { $0 + Double(z.z($1)[k]) } / Double(mem.count) }
            }
            let n = Double(means.count)
            let grand = (0..<z.dim).map { k in means.reduce(0) { $0 + $1[k] } / n }
            let axisVar = (0..<z.dim).map { k in means.reduce(0) { $0 + ($1[k] - grand[k]) * ($1[k] - grand[k]) } / (n - 1) }
            let trace = axisVar.reduce(0, +)
            let v1 = pca.pc1.reduce(0) { $0 + $1 * $1 } / (n - 1), v2 = pca.pc2.reduce(0) { $0 + $1 * $1 } / (n - 1)
            XCTAssertEqual(pca.pc1.reduce(0, +), 0, accuracy: 1e-4 * n)
            XCTAssertEqual(zip(pca.pc1, pca.pc2).reduce(0) { $0 + $1.0 * $1.1 } / (n - 1), 0, accuracy: 1e-4 * max(v1, 1e-6))
            XCTAssertEqual(v1 / trace, pca.explainedVarianceRatio[0], accuracy: 1e-4)
            XCTAssertEqual(v2 / trace, pca.explainedVarianceRatio[1], accuracy: 1e-4)
            XCTAssertGreaterThanOrEqual(v1, v2 - 1e-6)
            XCTAssertGreaterThanOrEqual(v1, axisVar.max()! * (1 - 1e-4))
        }
    }

    func testKSweepMatchesMetricsAndPlantedStructure() throws {
        let (c, p) = try setUpRun()
        let files = ConditioningFiles(config: c)
        let sweep = try XCTUnwrap(try KSweepInput.load(KSweep.url(files, lag: 1)))
        let records = try MetricsFile.read(from: URL(fileURLWithPath: c.output.metricsFile))
        XCTAssertEqual(sweep.n_init_sweep, 3)
        // The sweep's refits use 600 evenly spaced fit rows (fewer than the train frames): recorded in the manifest.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: KSweep.manifestURL(files, lag: 1))) as? [String: Any]
        XCTAssertEqual(manifest?["max_fit_samples"] as? Int, 600)
        XCTAssertEqual(KSweep.sampleRows(10, cap: 4), [0, 2, 5, 7])
        XCTAssertNil(KSweep.sampleRows(10, cap: 0))
        XCTAssertNil(KSweep.sampleRows(10, cap: 10))
        XCTAssertEqual(sweep.conditions.map(\.condition), c.clustering.conditions.map(\.name))
        let mu = p.regimeDrifts
        for a in 0..<p.regimes { for b in 0..<a { XCTAssertNotEqual(mu[(a * p.dim)..<((a + 1) * p.dim)].dropFirst(p.regimes),
                                                                    mu[(b * p.dim)..<((b + 1) * p.dim)].dropFirst(p.regimes), "regimes must differ") } }
        for cs in sweep.conditions {
            let rec = try XCTUnwrap(records.first { $0.condition == cs.condition && $0.lag == 1 && $0.slice == "all" })
            let main = try XCTUnwrap(cs.points.first { $0.from_main_fit }, cs.condition)
            // The configured model's sweep point is the metrics.json record (same labels, same definition).
            XCTAssertEqual(main.train_variance_ratio, rec.train.varianceRatio, accuracy: 1e-9)
            XCTAssertEqual(main.eval_variance_ratio, rec.eval.varianceRatio, accuracy: 1e-9)
            XCTAssertEqual(main.eval_variance_ratio_train_means, rec.eval.varianceRatioTrainMeans, accuracy: 1e-9)
            XCTAssertEqual(main.holdout_variance_ratio!, rec.holdout!.varianceRatio, accuracy: 1e-9)
            XCTAssertEqual(main.holdout_variance_ratio_fit_means!, rec.holdout!.varianceRatioFitMeans, accuracy: 1e-9)
            XCTAssertEqual(main.n_effective_clusters, rec.nEffectiveClusters)
            XCTAssertEqual(main.excluded_mass_train, rec.train.excludedMass, accuracy: 1e-12)
            if cs.type == "pca_quartile" {
                XCTAssertEqual(cs.points.map(\.k), [4, 16])
                XCTAssertEqual(cs.points.map(\.pca_dim), [1, 2])
            } else {
                XCTAssertEqual(cs.points.map(\.k), Array(Set([2, 3, 12, cs.configured_k!])).sorted())
                XCTAssertEqual(main.n_init, c.clustering.nInit)
                for pt in cs.points where !pt.from_main_fit { XCTAssertEqual(pt.n_init, 3) }
                // Planted 3 regimes: K = 2 cannot separate them; K = 3 recovers the closed-form VR on unseen data too.
                let k2 = cs.points.first { $0.k == 2 }!, k3 = cs.points.first { $0.k == 3 }!
                XCTAssertEqual(k3.train_variance_ratio, p.expectedVarianceRatio, accuracy: 0.03, cs.condition)
                XCTAssertEqual(k3.eval_variance_ratio_train_means, p.expectedVarianceRatio, accuracy: 0.04, cs.condition)
                // The few hold-out utterances do not mix the regimes evenly (the closed form assumes they do), but
                // recovered regimes transfer: the fit's means score them about as well as their own means.
                XCTAssertEqual(k3.holdout_variance_ratio_fit_means!, k3.holdout_variance_ratio!, accuracy: 0.05, cs.condition)
                XCTAssertGreaterThan(k2.train_variance_ratio, k3.train_variance_ratio + 0.05, cs.condition)
                // More clusters than regimes: in-sample VR keeps falling a little, unseen data does not improve.
                let k12 = cs.points.first { $0.k == 12 }!
                XCTAssertLessThanOrEqual(k12.train_variance_ratio, k3.train_variance_ratio + 1e-6)
                XCTAssertGreaterThan(k12.eval_variance_ratio_train_means, k3.eval_variance_ratio_train_means - 0.02)
            }
        }
    }

    func testFiguresAreWellFormedSVGWithTitlesAndAxisLabels() throws {
        let (c, _) = try setUpRun()
        var logged: [String] = []
        let figures = try Phase0Plots.render(config: c, log: { logged.append($0) })
        XCTAssertTrue(logged.isEmpty, "\(logged)")
        var expected = ["vr_by_condition_lag", "vr_vs_kept_fraction", "speaker_vr"]
        for n in c.clustering.conditions.map(\.name) {
            expected += ["cluster_sizes_\(n)", "within_variance_\(n)", "cluster_means_pca_\(n)", "vr_vs_k_\(n)"]
        }
        XCTAssertEqual(Set(figures.map(\.name)), Set(expected))
        for f in figures {
            let info = try SVGInfo(f.svg)
            XCTAssertEqual(info.root, "svg", f.name)
            XCTAssertEqual(info.title, f.title, f.name)
            XCTAssertTrue(info.texts.contains(f.title), f.name)
            XCTAssertGreaterThanOrEqual(info.texts.count, 8, "\(f.name): title, axis labels and tick labels")
            XCTAssertGreaterThan(info.elements["circle", default: 0] + info.elements["rect", default: 0] + info.elements["polyline", default: 0], 2, f.name)
        }
        let names = Dictionary(uniqueKeysWithValues: figures.map { ($0.name, $0.svg) })
        let sizes = try SVGInfo(names["cluster_sizes_mean_vq6"]!)
        XCTAssertTrue(sizes.texts.contains("number of clusters"))
        XCTAssertTrue(sizes.texts.contains { $0.hasPrefix("cluster size (train samples") })
        XCTAssertTrue(try SVGInfo(names["vr_vs_k_pca3_vq5"]!).texts.contains("hold-out utterances (fit means)"))
        XCTAssertTrue(try SVGInfo(names["within_variance_pca2_quartile"]!).texts.contains("effective clusters"))

        // The report writes every figure to plots_dir and inlines each into report.html with unique clip ids.
        let result = try Phase0Report.write(config: c, figures: figures)
        for f in figures {
            let u = URL(fileURLWithPath: c.output.plotsDir).appendingPathComponent("\(f.name).svg")
            XCTAssertEqual(try String(contentsOf: u, encoding: .utf8), f.svg)
        }
        let html = try String(contentsOf: c.output.reportDir.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, figures.count)
        let ids = html.components(separatedBy: "clipPath id=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        XCTAssertEqual(Set(ids).count, figures.count)
        XCTAssertFalse(result.text.isEmpty)
    }

    func testPlotsOfTheFigureInputs() throws {
        let (c, _) = try setUpRun()
        let files = ConditioningFiles(config: c)
        // Histogram: every id counted once (empty ids apart), each in the bin its size falls in.
        for cond in c.clustering.conditions {
            let sizes = try XCTUnwrap(try Phase0Plots.clusterSizes(files.stats(cond.name, lag: 1)))
            let (_, h) = ClusterSizePlot.chart(condition: cond.name, lag: 1, sizes: sizes.sizes, minClusterSize: sizes.minSize)
            XCTAssertEqual(h.counts.reduce(0, +) + h.nEmpty, sizes.sizes.count)
            XCTAssertEqual(h.nEmpty, sizes.sizes.filter { $0 == 0 }.count)
            for (b, n) in h.counts.enumerated() {
                XCTAssertEqual(n, sizes.sizes.filter { $0 > 0 && Double($0) > h.edges[b] && Double($0) < h.edges[b + 1] }.count)
            }
            XCTAssertTrue(h.edges.allSatisfy { $0 - $0.rounded(.down) == 0.5 })
        }
        // Speaker plot: one dot per saved per-speaker value, bars at the saved mean and CI.
        let recs = try SpeakerVRInput.load(URL(fileURLWithPath: c.output.metricsFile))
        let chart = try XCTUnwrap(SpeakerVRPlot.chart(recs, lag: 1, threshold: 0.6))
        let lag1 = recs.filter { $0.lag == 1 && $0.slice == "all" }
        guard case .scatter(let trainDots, _) = chart.marks[0].kind, case .intervals(let trainCI) = chart.marks[2].kind else { return XCTFail() }
        XCTAssertEqual(trainDots.count, lag1.reduce(0) { $0 + ($1.train.per_speaker ?? []).count })
        XCTAssertEqual(trainDots.map(\.1), lag1.flatMap { ($0.train.per_speaker ?? []).map { $0.variance_ratio! } })
        XCTAssertEqual(trainCI.map { $0.mid }, lag1.map { $0.train.speaker_mean! })
        XCTAssertEqual(trainCI.map { $0.lo }, lag1.map { $0.train.speaker_ci_lower! })
    }

    /// numpy / scikit-learn recompute every plot-data value and every sweep VR from the raw latents.
    func testIndependentCheckWithNumpy() throws {
        let (c, _) = try setUpRun()
        try requireOracle("phase0-oracle", check: ["python3", "-c", "import numpy, sklearn, pyarrow, zarr, yaml"])
        let r = try runProcess("python3", [repoRoot.appendingPathComponent("scripts/check_plots.py").path, "--config", c.sourceFile])
        XCTAssertEqual(r.status, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains(" 0 mismatches"), r.out)
    }

    /// Without the fit/evaluate files (e.g. a metrics.json from the research pipeline) the cluster plots
    /// are left out and listed, never faked.
    func testMissingInputsLeavePlotsOut() throws {
        var (c, _) = try setUpRun()
        c.output.conditioningDir = makeTempDir("empty-conditioning").path
        var logged: [String] = []
        let figures = try Phase0Plots.render(config: c, log: { logged.append($0) })
        XCTAssertEqual(Set(figures.map(\.name)), ["vr_by_condition_lag", "speaker_vr"])
        XCTAssertEqual(logged.count, 1)
        for n in ["cluster_sizes_mean_vq6", "within_variance_pca3_vq5", "cluster_means_pca_pca2_quartile", "vr_vs_kept_fraction", "vr_vs_k"] {
            XCTAssertTrue(logged[0].contains(n), "\(n): \(logged[0])")
        }
    }

    func testSizeHistogramBins() {
        let h = SizeHistogram.make(sizes: [0, 0, 1, 2, 5, 10, 10, 100, 1000, 999])
        XCTAssertTrue(h.logScale)
        XCTAssertEqual(h.nEmpty, 2)
        XCTAssertEqual(h.counts.reduce(0, +), 8)
        XCTAssertEqual(h.edges.first, 0.5)
        XCTAssertEqual(h.edges.last, 1000.5)
        XCTAssertEqual(Array(h.edges.prefix(3)), [0.5, 1.5, 2.5])    // small sizes get one bin each
        XCTAssertEqual(Array(h.counts.prefix(2)), [1, 1])
        XCTAssertEqual(h.counts.last, 2)                             // 999 and 1000
        XCTAssertEqual(h.counts[SizeHistogram.bin(10, h.edges)], 2)
        let lin = SizeHistogram.make(sizes: [20, 21, 21, 25])
        XCTAssertFalse(lin.logScale)
        XCTAssertEqual(lin.edges, [19.5, 20.5, 21.5, 22.5, 23.5, 24.5, 25.5])
        XCTAssertEqual(lin.counts, [1, 2, 0, 0, 0, 1])
        XCTAssertEqual(SizeHistogram.make(sizes: [0, 0]).counts, [])
    }

    func testGroupSumsPrefixesEqualDirectVR() throws {
        // 200 samples of D = 5 in 4 groups, 3 rank bins; GroupSums' prefix VRs against two-pass sums.
        let n = 200, d = 5
        let corpus = LatentCorpus(dim: d, nFrames: [n + 1])
        var rng = SplitMix64(seed: 7)
        for i in 0..<((n + 1) * d) { corpus.x[i] = Float(Double(rng.next() % 10_000) / 1000 - 5) }
        let z = NormalizedTargets(corpus: corpus, targetRows: Array(1...n))
        let group: [Int32] = (0..<n).map { (i: Int) -> Int32 in i % 7 == 0 ? -1 : Int32((i * 7) % 4) }
        let bin: [Int32] = (0..<n).map { (i: Int) -> Int32 in Int32((i * 13) % 3) }
        let s = GroupSums.accumulate(z, samples: (0..<n).map(Int32.init), group: group, nGroups: 4, bin: bin, nBins: 3, keepSums: true)
        for b in 0..<3 {
            let kept = (0..<n).filter { group[$0] >= 0 && bin[$0] <= b }
            XCTAssertEqual(s.nSamples(bin: b), kept.count)
            XCTAssertEqual(s.varianceRatio(bin: b), directVR(z, kept, kept.map { Int(group[$0]) }), accuracy: 1e-12)
        }
        // Against fixed means: Σ‖z − m_g‖² / total.
        let means = (0..<(4 * d)).map { Double($0 % 3) - 1 }
        let all = (0..<n).filter { group[$0] >= 0 }
        var within = 0.0, total = 0.0
        var grand = [Double](repeating: 0, count: d)
        for i in all { for j in 0..<d { grand[j] += Double(z.z(i)[j]) / Double(all.count) } }
        for i in all { for j in 0..<d {
            let v = Double(z.z(i)[j])
            within += (v - means[Int(group[i]) * d + j]) * (v - means[Int(group[i]) * d + j]); total += (v - grand[j]) * (v - grand[j])
        } }
        XCTAssertEqual(s.varianceRatio(against: means), within / total, accuracy: 1e-12)
    }

    func testQuartileCentreDistances() {
        // One component, edges 1, 2, 3: intervals (−∞,1) [1,2) [2,3) [3,∞).
        let bins = QuartileBins(edges: [1, 2, 3], dims: 1)
        let fit: [Float] = [0, 0.5, 1, 1.5, 2, 2, 3, 5]
        XCTAssertEqual(bins.intervalCentres(fitPoints: fit), [0.25, 1.25, 2, 4])
        XCTAssertEqual(bins.centreDistances(points: [0.25, 1, 2.5, 10], fitPoints: fit), [0, 0.25, 0.5, 6])
        // Two components: Euclidean over both; an empty interval falls back to its edges.
        let b2 = QuartileBins(edges: [0, 1, 2, 0, 1, 2], dims: 2)
        let c = b2.intervalCentres(fitPoints: [-1, 0.5, 0.5, 0.5, 3, 0.5])
        XCTAssertEqual(c, [-1, 0.5, 1.5, 3, 0, 0.5, 1.5, 2])
        XCTAssertEqual(b2.centreDistances(points: [-1, 3.5], fitPoints: [-1, 0.5, 0.5, 0.5, 3, 0.5]), [Float((0 + 1.5 * 1.5).squareRoot())])
    }

    func testLegendAvoidsDataAndLogTicksAreDecades() throws {
        var c = SVGChart(title: "t", xLabel: "x", yLabel: "y")
        let cloud: [(Double, Double)] = (0..<50).map { (i: Int) -> (Double, Double) in (0.9 + Double(i) / 500, 0.9 + Double(i % 10) / 100) }
        c.marks = [.scatter(cloud, label: "top-right cloud")]
        c.xRange = 0...1; c.yRange = 0...1
        let svg = c.render()
        // Legend box: the rect with a #bbb stroke; it must not sit in the top-right corner.
        let rect = try XCTUnwrap(svg.components(separatedBy: "\n").first { $0.contains("stroke=\"#bbb\"") })
        let x = Double(rect.components(separatedBy: "x=\"")[1].prefix { $0 != "\"" })!
        XCTAssertLessThan(x, 200)
        XCTAssertEqual(SVGChart.ticks(0...5, scale: .log10).map(\.value), [1, 10, 100, 1000, 1e4, 1e5])
        XCTAssertEqual(SVGChart.ticks(0...3, scale: .log10).map(\.value), [1, 3, 10, 30, 100, 300, 1000])
        XCTAssertEqual(SVGChart.ticks(log10(8)...log10(256), scale: .log10).map(\.value), [10, 30, 100])
        XCTAssertEqual(SVGChart.label(65536), "65536")
        XCTAssertEqual(SVGChart.label(1e6), "1e6")
    }
}

/// Structure of an SVG document parsed with XMLParser: root element, `<title>`, element counts and
/// the text of every `<text>` element. Throws when the document is not well-formed XML.
struct SVGInfo {
    var root = ""
    var title = ""
    var elements: [String: Int] = [:]
    var texts: [String] = []

    init(_ svg: String) throws {
        final class Delegate: NSObject, XMLParserDelegate {
            var info = SVGInfo(empty: ())
            var stack: [String] = []
            var text = ""
            func parser(_ p: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if stack.isEmpty { info.root = e }
                stack.append(e); info.elements[e, default: 0] += 1; text = ""
            }
            func parser(_ p: XMLParser, foundCharacters s: String) { text += s }
            func parser(_ p: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
                if e == "text" { info.texts.append(text) }
                if e == "title" && stack.count == 2 { info.title = text }
                stack.removeLast(); text = ""
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let delegate = Delegate()
        parser.delegate = delegate
        guard parser.parse() else {
            throw EngramError("svg", "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber)")
        }
        self = delegate.info
    }

    private init(empty: ()) {}
}
