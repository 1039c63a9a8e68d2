/// Token + learned position embedding: out[b, t] = wte[token[b, t]] + wpe[t].
public enum Embedding {
    public static func forward(
        out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, wte: UnsafePointer<Float>, wpe: UnsafePointer<Float>,
        batch B: Int, time T: Int, channels C: Int
    ) {
        for b in 0..<B {
            for t in 0..<T {
                let o = out + (b * T + t) * C
                let e = wte + Int(tokens[b * T + t]) * C
                let p = wpe + t * C
                for i in 0..<C { o[i] = e[i] + p[i] }
            }
        }
    }

    /// dwte[token] += dout, dwpe[t] += dout (either may be nil).
    public static func backward(
        dwte: UnsafeMutablePointer<Float>?, dwpe: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        tokens: UnsafePointer<Int32>, batch B: Int, time T: Int, channels C: Int
    ) {
        for b in 0..<B {
            for t in 0..<T {
                let g = dout + (b * T + t) * C
                if let dwte {
                    let e = dwte + Int(tokens[b * T + t]) * C
                    for i in 0..<C { e[i] += g[i] }
                }
                if let dwpe {
                    let p = dwpe + t * C
                    for i in 0..<C { p[i] += g[i] }
                }
            }
        }
    }
}
