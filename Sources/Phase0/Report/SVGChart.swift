import Foundation

/// A small self-contained SVG chart: title and optional subtitle, axes with "nice" ticks (decades on
/// log axes, or given ticks), axis labels, a legend placed where it hides the fewest data points
/// (below the plot when every corner would hide some), and any mix of lines, scatter points, bars,
/// vertical/horizontal reference lines and intervals. Coordinates are data units; `render()`
/// returns a standalone `<svg>` document (no scripts, fonts or external files).
public struct SVGChart {
    public enum Scale { case linear, log10 }

    /// What a mark draws.
    public enum Kind {
        /// Connected points, each with a dot.
        case line([(Double, Double)])
        /// Unconnected points (`radius` in px).
        case scatter([(Double, Double)], radius: Double)
        /// Bars from y = 0 over [x0, x1).
        case bars([(x0: Double, x1: Double, y: Double)])
        /// A vertical reference line at x.
        case vline(Double)
        /// A horizontal reference line at y.
        case hline(Double)
        /// Vertical intervals [lo, hi] at x with whiskers and a point at `mid`.
        case intervals([(x: Double, lo: Double, mid: Double, hi: Double)])
    }

    public struct Mark {
        public var kind: Kind
        /// Legend entry (none when nil).
        public var label: String?
        /// CSS colour; nil takes the palette colour of the mark's index.
        public var color: String?
        public var dashed: Bool

        public static func line(_ p: [(Double, Double)], label: String?, dashed: Bool = false, color: String? = nil) -> Mark {
            Mark(kind: .line(p), label: label, color: color, dashed: dashed)
        }
        public static func scatter(_ p: [(Double, Double)], label: String?, radius: Double = 2.5, color: String? = nil) -> Mark {
            Mark(kind: .scatter(p, radius: radius), label: label, color: color, dashed: false)
        }
        public static func bars(_ b: [(x0: Double, x1: Double, y: Double)], label: String?, color: String? = nil) -> Mark {
            Mark(kind: .bars(b), label: label, color: color, dashed: false)
        }
        public static func vline(_ x: Double, label: String?, color: String? = nil, dashed: Bool = true) -> Mark {
            Mark(kind: .vline(x), label: label, color: color, dashed: dashed)
        }
        public static func hline(_ y: Double, label: String?, color: String? = nil, dashed: Bool = true) -> Mark {
            Mark(kind: .hline(y), label: label, color: color, dashed: dashed)
        }
        public static func intervals(_ iv: [(x: Double, lo: Double, mid: Double, hi: Double)], label: String?, color: String? = nil) -> Mark {
            Mark(kind: .intervals(iv), label: label, color: color, dashed: false)
        }
    }

    public var title: String
    /// A smaller line under the title (settings, counts, caveats).
    public var subtitle: String?
    public var xLabel: String
    public var yLabel: String
    public var xScale: Scale = .linear
    public var yScale: Scale = .linear
    public var marks: [Mark] = []
    public var width = 640.0
    public var height = 400.0
    /// Optional fixed axis ranges (data units); otherwise fitted to the marks.
    public var xRange: ClosedRange<Double>? = nil
    public var yRange: ClosedRange<Double>? = nil
    /// Category names for integer x positions 0, 1, 2 … (replaces numeric x tick labels).
    public var xCategories: [String]? = nil
    /// Explicit x ticks (data units) instead of automatic ones.
    public var xTicks: [Double]? = nil
    /// Identifier for the SVG's internal ids (clip path), which must be unique among the charts
    /// inlined into one HTML page; default: a hash of the title and subtitle.
    public var id: String? = nil

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
    }

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    public static let grey = "#8c8c8c"

    // Plot area margins (px).
    let left = 72.0, right = 20.0, bottom = 52.0
    var top: Double { subtitle == nil ? 40 : 56 + 15 * Double(subtitleLines.count - 1) }

    /// The subtitle as one line, or two (split at the "; " nearest the middle) when one line would
    /// need a font below 11 px.
    var subtitleLines: [String] {
        guard let subtitle else { return [] }
        let avail = width - 16
        if Self.fittingSize(subtitle, size: 12, avail: avail) >= 11 { return [subtitle] }
        let parts = subtitle.components(separatedBy: "; ")
        guard parts.count > 1 else { return [subtitle] }
        var best = 1, bestDiff = Double.infinity
        for k in 1..<parts.count {
            let a = parts[..<k].joined(separator: "; "), b = parts[k...].joined(separator: "; ")
            let diff = abs(Self.textWidth(a, size: 12) - Self.textWidth(b, size: 12))
            if diff < bestDiff { bestDiff = diff; best = k }
        }
        return [parts[..<best].joined(separator: "; ") + ";", parts[best...].joined(separator: "; ")]
    }

    func transform(_ v: Double, _ s: Scale) -> Double {
        switch s {
        case .linear: return v
        case .log10: return v > 0 ? log10(v) : .nan
        }
    }

    /// Every data point of the marks (for axis extents and legend placement).
    func dataPoints(includeReferenceLines: Bool) -> (xs: [Double], ys: [Double], points: [(Double, Double)]) {
        var xs: [Double] = [], ys: [Double] = [], pts: [(Double, Double)] = []
        for m in marks {
            switch m.kind {
            case .line(let p), .scatter(let p, _):
                xs += p.map(\.0); ys += p.map(\.1); pts += p
            case .bars(let b):
                xs += b.flatMap { [$0.x0, $0.x1] }; ys += b.map(\.y); ys.append(0)
                pts += b.map { (($0.x0 + $0.x1) / 2, $0.y) }
            case .vline(let x): if includeReferenceLines { xs.append(x) }
            case .hline(let y): if includeReferenceLines { ys.append(y) }
            case .intervals(let iv):
                xs += iv.map(\.x); ys += iv.flatMap { [$0.lo, $0.hi] }
                pts += iv.flatMap { [($0.x, $0.lo), ($0.x, $0.mid), ($0.x, $0.hi)] }
            }
        }
        return (xs, ys, pts)
    }

    func extent() -> (ClosedRange<Double>, ClosedRange<Double>) {
        let (xs, ys, _) = dataPoints(includeReferenceLines: true)
        func fit(_ v: [Double], _ s: Scale) -> ClosedRange<Double> {
            let t = v.map { transform($0, s) }.filter { $0.isFinite }
            guard var lo = t.min(), var hi = t.max() else { return 0...1 }
            if lo == hi { lo -= 0.5; hi += 0.5 }
            let pad = (hi - lo) * 0.04
            return (lo - pad)...(hi + pad)
        }
        let xr = xRange.map { transform($0.lowerBound, xScale)...transform($0.upperBound, xScale) } ?? fit(xs, xScale)
        let yr = yRange.map { transform($0.lowerBound, yScale)...transform($0.upperBound, yScale) } ?? fit(ys, yScale)
        return (xr, yr)
    }

    /// Tick positions (in transformed units) at 1, 2 or 5 × 10^k steps, about `target` of them.
    static func niceTicks(_ r: ClosedRange<Double>, target: Int = 6) -> [Double] {
        let span = r.upperBound - r.lowerBound
        guard span > 0, span.isFinite else { return [r.lowerBound] }
        let raw = span / Double(target)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var t = ceil(r.lowerBound / step) * step
        var out: [Double] = []
        while t <= r.upperBound + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    /// Ticks of an axis as (position in transformed units, value). Log axes spanning at least one
    /// decade get 1·10^k (plus 2 and 5 × 10^k when there are few decades); shorter ones get nice
    /// linear values.
    static func ticks(_ r: ClosedRange<Double>, scale: Scale, target: Int = 6) -> [(pos: Double, value: Double)] {
        guard scale == .log10 else { return niceTicks(r, target: target).map { ($0, $0) } }
        let lo = r.lowerBound, hi = r.upperBound
        if hi - lo >= 1 - 1e-9 {
            var out: [(Double, Double)] = []
            let decades = Int(ceil(hi) - floor(lo))
            let steps = decades > 8 ? 2 : 1
            let mult: [Double] = decades <= 2 ? [1, 2, 5] : (decades <= 4 ? [1, 3] : [1])
            var e = Int(floor(lo))
            while Double(e) <= hi {
                if (e - Int(floor(lo))) % steps == 0 {
                    for m in mult {
                        let v = m * pow(10, Double(e))
                        let p = log10(v)
                        if p >= lo - 1e-9 && p <= hi + 1e-9 { out.append((p, v)) }
                    }
                }
                e += 1
            }
            return out
        }
        return niceTicks(pow(10, lo)...pow(10, hi), target: target).filter { $0 > 0 }.map { (log10($0), $0) }
    }

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 {
            let e = Int(floor(log10(a)))
            let m = v / pow(10, Double(e))
            return abs(m - m.rounded()) < 1e-9 ? "\(Int(m.rounded()))e\(e)" : String(format: "%.1fe%d", m, e)
        }
        if a >= 100 || v == v.rounded() { return String(format: "%.0f", v) }
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// 64-bit FNV-1a of the UTF-8 bytes, hex (a deterministic id).
    static func fnv1a(_ s: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return String(h, radix: 16)
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Approximate rendered width (px) of `s` in Helvetica at `size` px.
    static func textWidth(_ s: String, size: Double) -> Double {
        var w = 0.0
        for ch in s {
            switch ch {
            case "i", "l", "j", "t", "f", "I", "!", ".", ",", ":", ";", "'", "|", "(", ")", "[", "]", " ": w += 0.30
            case "m", "w", "M", "W": w += 0.85
            case "A"..."Z": w += 0.67
            default: w += 0.56
            }
        }
        return w * size
    }

    /// Font size (≤ `size`, ≥ 9) at which `s` fits in `avail` px.
    static func fittingSize(_ s: String, size: Double, avail: Double) -> Double {
        let w = textWidth(s, size: size)
        return w <= avail ? size : max(9, (size * avail / w * 10).rounded(.down) / 10)
    }

    public func render() -> String {
        let (xr, yr) = extent()
        let pw = width - left - right
        // Legend geometry (placement decided below, once pixel positions are known).
        let entries: [(label: String, color: String, mark: Mark)] = marks.enumerated().compactMap { i, m in
            m.label.map { ($0, m.color ?? Self.palette[i % Self.palette.count], m) }
        }
        let lw = 50 + 1.05 * (entries.map { Self.textWidth($0.label, size: 12) }.max() ?? 0)
        let lh = Double(entries.count) * 18 + 8
        let phInside = height - top - bottom
        func pxIn(_ x: Double) -> Double { left + (transform(x, xScale) - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * pw }
        func pyIn(_ y: Double, _ ph: Double) -> Double { top + ph - (transform(y, yScale) - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * ph }
        // Points (px) the legend should not hide: data points and samples along line segments.
        var covered: [(Double, Double)] = []
        for m in marks {
            switch m.kind {
            case .line(let p):
                let q = p.map { (pxIn($0.0), pyIn($0.1, phInside)) }.filter { $0.0.isFinite && $0.1.isFinite }
                for (a, b) in zip(q, q.dropFirst()) { for s in 0...12 { let t = Double(s) / 12; covered.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))) } }
                covered += q
            case .hline(let y):
                let yy = pyIn(y, phInside)
                for s in 0...24 { covered.append((left + pw * Double(s) / 24, yy)) }
            case .vline(let x):
                let xx = pxIn(x)
                for s in 0...24 { covered.append((xx, top + phInside * Double(s) / 24)) }
            case .bars(let b):
                for bar in b {
                    let x0 = pxIn(bar.x0), x1 = pxIn(bar.x1), y0 = pyIn(max(bar.y, 0), phInside), yb = pyIn(0, phInside)
                    guard x0.isFinite, x1.isFinite, y0.isFinite, yb.isFinite else { continue }
                    var yy = y0
                    while yy <= yb { covered.append(((x0 + x1) / 2, yy)); yy += 6 }
                }
            case .scatter(let p, _):
                covered += p.map { (pxIn($0.0), pyIn($0.1, phInside)) }
            case .intervals(let iv):
                for v in iv {
                    let x = pxIn(v.x), lo = pyIn(v.lo, phInside), hi = pyIn(v.hi, phInside)
                    guard x.isFinite, lo.isFinite, hi.isFinite else { continue }
                    for s in 0...8 { covered.append((x, hi + (lo - hi) * Double(s) / 8)) }
                }
            }
        }
        var legendBelow = false
        var lx = left + pw - lw - 8, ly = top + 8
        if !entries.isEmpty {
            // Candidate spots, preferred first: the four corners, then the edge middles and the centre.
            let xs = [left + pw - lw - 8, left + 8, left + (pw - lw) / 2], ys = [top + 8, top + phInside - lh - 8, top + (phInside - lh) / 2]
            let corners = [(xs[0], ys[0]), (xs[1], ys[0]), (xs[0], ys[1]), (xs[1], ys[1]),
                           (xs[0], ys[2]), (xs[1], ys[2]), (xs[2], ys[0]), (xs[2], ys[1]), (xs[2], ys[2])]
            let hidden = corners.map { c in covered.filter { $0.0 >= c.0 - 4 && $0.0 <= c.0 + lw + 4 && $0.1 >= c.1 - 4 && $0.1 <= c.1 + lh + 4 }.count }
            let best = hidden.indices.min { hidden[$0] < hidden[$1] }!
            if hidden[best] == 0 || lh > phInside - 16 || lw > pw - 16 {
                if hidden[best] == 0 { (lx, ly) = corners[best] } else { legendBelow = true }
            } else {
                legendBelow = true
            }
        }
        // With the legend below the plot the SVG grows; the plot area keeps its size.
        let legendCols = legendBelow ? max(1, min(entries.count, Int((width - left) / (lw + 12)))) : 1
        let legendRows = legendBelow ? (entries.count + legendCols - 1) / legendCols : 0
        let totalHeight = height + (legendBelow ? Double(legendRows) * 18 + 14 : 0)
        let ph = phInside
        func px(_ x: Double) -> Double { pxIn(x) }
        func py(_ y: Double) -> Double { pyIn(y, ph) }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }

        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(totalHeight))\" viewBox=\"0 0 \(Int(width)) \(Int(totalHeight))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<title>\(Self.esc(title))</title>\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        let titleSize = Self.fittingSize(title, size: 15, avail: width - 16)
        s += "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"\(f(titleSize))\" font-weight=\"bold\">\(Self.esc(title))</text>\n"
        for (i, line) in subtitleLines.enumerated() {
            let sub = Self.fittingSize(line, size: 12, avail: width - 16)
            s += "<text x=\"\(f(width / 2))\" y=\"\(f(40 + 15 * Double(i)))\" text-anchor=\"middle\" font-size=\"\(f(sub))\" fill=\"#555\">\(Self.esc(line))</text>\n"
        }
        let clipId = "clip-" + (id ?? Self.fnv1a(title + (subtitle ?? "")))
        s += "<defs><clipPath id=\"\(clipId)\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\"/></clipPath></defs>\n"
        // Grid and ticks.
        for t in Self.ticks(yr, scale: yScale) {
            let y = top + ph - (t.pos - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * ph
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + pw))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>\n"
            s += "<line x1=\"\(f(left - 4))\" x2=\"\(f(left))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#333\"/>\n"
            s += "<text x=\"\(f(left - 7))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.label(t.value))</text>\n"
        }
        if let cats = xCategories {
            for (i, c) in cats.enumerated() {
                let x = px(Double(i))
                let size = Self.fittingSize(c, size: 12, avail: pw / Double(max(cats.count, 1)) - 4)
                s += "<text x=\"\(f(x))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\" font-size=\"\(f(size))\">\(Self.esc(c))</text>\n"
            }
        } else {
            let xt = xTicks.map { $0.map { (transform($0, xScale), $0) } } ?? Self.ticks(xr, scale: xScale, target: 7)
            var lastRight = -Double.infinity
            for t in xt where t.0.isFinite && t.0 >= xr.lowerBound - 1e-9 && t.0 <= xr.upperBound + 1e-9 {
                let x = left + (t.0 - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * pw
                s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(top + ph))\" stroke=\"#f0f0f0\"/>\n"
                s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top + ph))\" y2=\"\(f(top + ph + 4))\" stroke=\"#333\"/>\n"
                let text = Self.label(t.1)
                let half = Self.textWidth(text, size: 12) / 2
                guard x - half > lastRight + 4 else { continue }    // skip labels that would overlap
                lastRight = x + half
                s += "<text x=\"\(f(x))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\">\(text)</text>\n"
            }
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#333\"/>\n"
        let xls = Self.fittingSize(xLabel, size: 13, avail: pw)
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(top + ph + 40))\" text-anchor=\"middle\" font-size=\"\(f(xls))\">\(Self.esc(xLabel))</text>\n"
        let yls = Self.fittingSize(yLabel, size: 13, avail: ph)
        s += "<text transform=\"translate(18 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"\(f(yls))\">\(Self.esc(yLabel))</text>\n"
        // Marks.
        s += "<g clip-path=\"url(#\(clipId))\">\n"
        for (i, m) in marks.enumerated() {
            let c = m.color ?? Self.palette[i % Self.palette.count]
            let dash = m.dashed ? " stroke-dasharray=\"6 4\"" : ""
            switch m.kind {
            case .line(let p):
                let q = p.filter { px($0.0).isFinite && py($0.1).isFinite }
                let pts = q.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
                s += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\"\(dash)/>\n"
                for v in q { s += "<circle cx=\"\(f(px(v.0)))\" cy=\"\(f(py(v.1)))\" r=\"3\" fill=\"\(c)\"/>\n" }
            case .scatter(let p, let r):
                for v in p where px(v.0).isFinite && py(v.1).isFinite {
                    s += "<circle cx=\"\(f(px(v.0)))\" cy=\"\(f(py(v.1)))\" r=\"\(f(r))\" fill=\"\(c)\" fill-opacity=\"0.65\" stroke=\"\(c)\" stroke-width=\"0.5\"/>\n"
                }
            case .bars(let b):
                for bar in b {
                    let x0 = px(bar.x0), x1 = px(bar.x1), y0 = py(max(bar.y, 0)), yb = py(yScale == .log10 ? pow(10, yr.lowerBound) : 0)
                    guard x0.isFinite, x1.isFinite, y0.isFinite, yb.isFinite, bar.y > 0 else { continue }
                    s += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(max(x1 - x0 - 1, 0.5)))\" height=\"\(f(max(yb - y0, 0)))\" fill=\"\(c)\" fill-opacity=\"0.75\"/>\n"
                }
            case .vline(let x):
                guard px(x).isFinite else { continue }
                s += "<line x1=\"\(f(px(x)))\" x2=\"\(f(px(x)))\" y1=\"\(f(top))\" y2=\"\(f(top + ph))\" stroke=\"\(c)\" stroke-width=\"2\"\(dash)/>\n"
            case .hline(let y):
                guard py(y).isFinite else { continue }
                s += "<line x1=\"\(f(left))\" x2=\"\(f(left + pw))\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"\(c)\" stroke-width=\"2\"\(dash)/>\n"
            case .intervals(let iv):
                for v in iv where px(v.x).isFinite && py(v.lo).isFinite && py(v.hi).isFinite {
                    let x = px(v.x)
                    s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(py(v.lo)))\" y2=\"\(f(py(v.hi)))\" stroke=\"\(c)\" stroke-width=\"2\"/>\n"
                    s += "<line x1=\"\(f(x - 7))\" x2=\"\(f(x + 7))\" y1=\"\(f(py(v.lo)))\" y2=\"\(f(py(v.lo)))\" stroke=\"\(c)\" stroke-width=\"2\"/>\n"
                    s += "<line x1=\"\(f(x - 7))\" x2=\"\(f(x + 7))\" y1=\"\(f(py(v.hi)))\" y2=\"\(f(py(v.hi)))\" stroke=\"\(c)\" stroke-width=\"2\"/>\n"
                    if py(v.mid).isFinite { s += "<circle cx=\"\(f(x))\" cy=\"\(f(py(v.mid)))\" r=\"4\" fill=\"\(c)\"/>\n" }
                }
            }
        }
        s += "</g>\n"
        // Legend.
        func swatch(_ m: Mark, _ c: String, x: Double, y: Double) -> String {
            switch m.kind {
            case .scatter(_, let r):
                return "<circle cx=\"\(f(x + 11))\" cy=\"\(f(y - 4))\" r=\"\(f(min(max(r, 3), 7)))\" fill=\"\(c)\" fill-opacity=\"0.65\"/>\n"
            case .bars:
                return "<rect x=\"\(f(x + 2))\" y=\"\(f(y - 10))\" width=\"18\" height=\"12\" fill=\"\(c)\" fill-opacity=\"0.75\"/>\n"
            default:
                return "<line x1=\"\(f(x))\" x2=\"\(f(x + 22))\" y1=\"\(f(y - 4))\" y2=\"\(f(y - 4))\" stroke=\"\(c)\" stroke-width=\"3\"\(m.dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
            }
        }
        if !entries.isEmpty && !legendBelow {
            s += "<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"\(f(lw))\" height=\"\(f(lh))\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n"
            for (i, e) in entries.enumerated() {
                let y = ly + 16 + Double(i) * 18
                s += swatch(e.mark, e.color, x: lx + 8, y: y)
                s += "<text x=\"\(f(lx + 36))\" y=\"\(f(y))\">\(Self.esc(e.label))</text>\n"
            }
        } else if legendBelow {
            let y0 = height + 4
            for (i, e) in entries.enumerated() {
                let x = left + Double(i % legendCols) * (lw + 12), y = y0 + 14 + Double(i / legendCols) * 18
                s += swatch(e.mark, e.color, x: x, y: y)
                s += "<text x=\"\(f(x + 28))\" y=\"\(f(y))\">\(Self.esc(e.label))</text>\n"
            }
        }
        s += "</svg>\n"
        return s
    }
}
