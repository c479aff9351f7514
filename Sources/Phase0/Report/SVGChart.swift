import Foundation

/// A small self-contained SVG chart: axes with "nice" ticks, labels, a legend, and any mix of
/// lines, scatter points, bars, vertical/horizontal reference lines and error bars.
/// Coordinates are data units; `render()` returns a standalone `<svg>` document.
public struct SVGChart {
    public enum Scale { case linear, log10 }

    public enum Mark {
        /// Connected points.
        case line([(Double, Double)], label: String?, dashed: Bool = false)
        /// Unconnected points (`radius` in px).
        case scatter([(Double, Double)], label: String?, radius: Double = 2.5)
        /// Bars from y = 0 over [x0, x1).
        case bars([(x0: Double, x1: Double, y: Double)], label: String?)
        /// A vertical reference line at x.
        case vline(Double, label: String?)
        /// A horizontal reference line at y.
        case hline(Double, label: String?)
        /// Vertical intervals [lo, hi] centred on x, with a point at `mid`.
        case intervals([(x: Double, lo: Double, mid: Double, hi: Double)], label: String?)
    }

    public var title: String
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

    public init(title: String, xLabel: String, yLabel: String) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    // Plot area margins (px).
    let left = 70.0, right = 20.0, top = 40.0, bottom = 55.0

    func transform(_ v: Double, _ s: Scale) -> Double {
        switch s {
        case .linear: return v
        case .log10: return v > 0 ? log10(v) : .nan
        }
    }

    func extent() -> (ClosedRange<Double>, ClosedRange<Double>) {
        var xs: [Double] = [], ys: [Double] = []
        for m in marks {
            switch m {
            case .line(let p, _, _), .scatter(let p, _, _):
                xs += p.map(\.0); ys += p.map(\.1)
            case .bars(let b, _):
                xs += b.flatMap { [$0.x0, $0.x1] }; ys += b.map(\.y); ys.append(0)
            case .vline(let x, _): xs.append(x)
            case .hline(let y, _): ys.append(y)
            case .intervals(let iv, _):
                xs += iv.map(\.x); ys += iv.flatMap { [$0.lo, $0.hi] }
            }
        }
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

    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.1e", v) }
        if a >= 100 || v == v.rounded() { return String(format: "%.0f", v) }
        var s = String(format: "%.3f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public func render() -> String {
        let (xr, yr) = extent()
        let pw = width - left - right, ph = height - top - bottom
        func px(_ x: Double) -> Double { left + (transform(x, xScale) - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * pw }
        func py(_ y: Double) -> Double { top + ph - (transform(y, yScale) - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * ph }
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(Self.esc(title))</text>\n"
        s += "<defs><clipPath id=\"plot\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\"/></clipPath></defs>\n"
        // Grid and ticks.
        for t in Self.niceTicks(yr) {
            let y = top + ph - (t - yr.lowerBound) / (yr.upperBound - yr.lowerBound) * ph
            s += "<line x1=\"\(f(left))\" x2=\"\(f(left + pw))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>\n"
            let v = yScale == .log10 ? pow(10, t) : t
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.label(v))</text>\n"
        }
        if let cats = xCategories {
            for (i, c) in cats.enumerated() {
                let x = px(Double(i))
                s += "<text x=\"\(f(x))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\">\(Self.esc(c))</text>\n"
            }
        } else {
            for t in Self.niceTicks(xr) {
                let x = left + (t - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * pw
                s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(top + ph))\" stroke=\"#f0f0f0\"/>\n"
                let v = xScale == .log10 ? pow(10, t) : t
                s += "<text x=\"\(f(x))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\">\(Self.label(v))</text>\n"
            }
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(Self.esc(xLabel))</text>\n"
        s += "<text transform=\"translate(16 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.esc(yLabel))</text>\n"
        // Marks.
        var legend: [(String, String, Bool)] = []
        s += "<g clip-path=\"url(#plot)\">\n"
        for (i, m) in marks.enumerated() {
            let c = Self.palette[i % Self.palette.count]
            switch m {
            case .line(let p, let label, let dashed):
                let pts = p.filter { px($0.0).isFinite && py($0.1).isFinite }.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
                s += "<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"6 4\"" : "")/>\n"
                for q in p where px(q.0).isFinite && py(q.1).isFinite {
                    s += "<circle cx=\"\(f(px(q.0)))\" cy=\"\(f(py(q.1)))\" r=\"3\" fill=\"\(c)\"/>\n"
                }
                if let label { legend.append((label, c, dashed)) }
            case .scatter(let p, let label, let r):
                for q in p where px(q.0).isFinite && py(q.1).isFinite {
                    s += "<circle cx=\"\(f(px(q.0)))\" cy=\"\(f(py(q.1)))\" r=\"\(f(r))\" fill=\"\(c)\" fill-opacity=\"0.6\"/>\n"
                }
                if let label { legend.append((label, c, false)) }
            case .bars(let b, let label):
                for bar in b {
                    let x0 = px(bar.x0), x1 = px(bar.x1), y0 = py(max(bar.y, 0)), yb = py(0)
                    guard x0.isFinite, x1.isFinite, y0.isFinite else { continue }
                    s += "<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(max(x1 - x0 - 0.5, 0.5)))\" height=\"\(f(max(yb - y0, 0)))\" fill=\"\(c)\" fill-opacity=\"0.75\"/>\n"
                }
                if let label { legend.append((label, c, false)) }
            case .vline(let x, let label):
                s += "<line x1=\"\(f(px(x)))\" x2=\"\(f(px(x)))\" y1=\"\(f(top))\" y2=\"\(f(top + ph))\" stroke=\"\(c)\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n"
                if let label { legend.append((label, c, true)) }
            case .hline(let y, let label):
                s += "<line x1=\"\(f(left))\" x2=\"\(f(left + pw))\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"\(c)\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n"
                if let label { legend.append((label, c, true)) }
            case .intervals(let iv, let label):
                for v in iv {
                    let x = px(v.x)
                    s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(py(v.lo)))\" y2=\"\(f(py(v.hi)))\" stroke=\"\(c)\" stroke-width=\"2\"/>\n"
                    s += "<line x1=\"\(f(x - 6))\" x2=\"\(f(x + 6))\" y1=\"\(f(py(v.lo)))\" y2=\"\(f(py(v.lo)))\" stroke=\"\(c)\" stroke-width=\"2\"/>\n"
                    s += "<line x1=\"\(f(x - 6))\" x2=\"\(f(x + 6))\" y1=\"\(f(py(v.hi)))\" y2=\"\(f(py(v.hi)))\" stroke=\"\(c)\" stroke-width=\"2\"/>\n"
                    s += "<circle cx=\"\(f(x))\" cy=\"\(f(py(v.mid)))\" r=\"4\" fill=\"\(c)\"/>\n"
                }
                if let label { legend.append((label, c, false)) }
            }
        }
        s += "</g>\n"
        if !legend.isEmpty {
            let lw = 14.0 + 7.0 * Double(legend.map(\.0.count).max() ?? 0) + 30
            let lx = left + pw - lw - 8, ly = top + 8
            s += "<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"\(f(lw))\" height=\"\(f(Double(legend.count) * 18 + 8))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>\n"
            for (i, (label, c, dashed)) in legend.enumerated() {
                let y = ly + 16 + Double(i) * 18
                s += "<line x1=\"\(f(lx + 8))\" x2=\"\(f(lx + 30))\" y1=\"\(f(y - 4))\" y2=\"\(f(y - 4))\" stroke=\"\(c)\" stroke-width=\"3\"\(dashed ? " stroke-dasharray=\"5 3\"" : "")/>\n"
                s += "<text x=\"\(f(lx + 36))\" y=\"\(f(y))\">\(Self.esc(label))</text>\n"
            }
        }
        s += "</svg>\n"
        return s
    }
}
