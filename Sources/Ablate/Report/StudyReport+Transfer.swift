import Foundation

/// The report's "Transfer" section for a study with `transfer:` (TransferFindings holds the numbers).
extension StudyReport {
    func transferSection(_ f: StudyFindings) -> [String] {
        guard let t = f.transfer else { return [] }
        let label = Self.metricLabel(t.metric, study.evaluation.k)
        var out = ["## Transfer (test split)", ""]
        out.append("How much of each variant's gain over its control on \(t.from) carries to the other suites: Δ = mean over matched seeds of (variant − control) in \(label), with its 95% t interval; the ratio Δtarget / Δ\(t.from) with Fieller's 95% interval, which is bounded only when Δ\(t.from) is clearly not 0. A ratio of 1 carries the whole gain, 0 none, below 0 reverses it. Descriptive: no Holm, no verdict.")
        out.append("")
        out.append("| variant | control | target | seeds | Δ\(t.from) [95% CI] | Δtarget [95% CI] | Δtarget / Δ\(t.from) [Fieller 95%] |")
        out.append("|---|---|---|---:|---|---|---|")
        for r in t.rows {
            let ratio: String
            if let i = r.ratioInterval {
                ratio = "\(Self.num(r.ratio, 2)) \(Self.interval(i, 2))"
            } else {
                ratio = "\(Self.num(r.ratio, 2)) (\(r.reason ?? "no interval"))"
            }
            out.append("| \(r.variant) | \(r.control) | \(r.target) | \(r.seeds.count) | \(Self.difference(r.fromDifference, r.fromInterval)) | \(Self.difference(r.targetDifference, r.targetInterval)) | \(ratio) |")
        }
        out.append("")
        return out
    }
}
