import Foundation

/// The BlurHash encoding (https://github.com/woltapp/blurhash, MIT): a short string clients draw as a
/// placeholder while the photo loads.
enum Blurhash {
    static func encode(pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, componentsX: Int, componentsY: Int) -> String {
        // Each pixel made linear once, and each cosine computed once per column and row, not per component.
        let count = width * height * 3
        var linearPixels = [Double](repeating: 0, count: count)
        for index in 0..<count { linearPixels[index] = linearTable[Int(pixels[index])] }
        let cosX = (0..<componentsX).map { i in (0..<width).map { x in cos(Double.pi * Double(i) * Double(x) / Double(width)) } }
        let cosY = (0..<componentsY).map { j in (0..<height).map { y in cos(Double.pi * Double(j) * Double(y) / Double(height)) } }
        var factors: [(Double, Double, Double)] = []
        for j in 0..<componentsY {
            for i in 0..<componentsX {
                let normalisation: Double = (i == 0 && j == 0) ? 1 : 2
                var r = 0.0, g = 0.0, b = 0.0
                for y in 0..<height {
                    let rowFactor = normalisation * cosY[j][y]
                    for x in 0..<width {
                        let basis = rowFactor * cosX[i][x]
                        let offset = (y * width + x) * 3
                        r += basis * linearPixels[offset]
                        g += basis * linearPixels[offset + 1]
                        b += basis * linearPixels[offset + 2]
                    }
                }
                let scale = 1 / Double(width * height)
                factors.append((r * scale, g * scale, b * scale))
            }
        }
        var hash = base83((componentsX - 1) + (componentsY - 1) * 9, length: 1)
        let ac = factors.dropFirst()
        var maximum = 1.0
        if !ac.isEmpty {
            let actualMaximum = ac.map { max(abs($0.0), abs($0.1), abs($0.2)) }.max() ?? 0
            let quantised = Int(max(0, min(82, floor(actualMaximum * 166 - 0.5))))
            maximum = Double(quantised + 1) / 166
            hash += base83(quantised, length: 1)
        } else {
            hash += base83(0, length: 1)
        }
        let dc = factors[0]
        hash += base83((srgb(dc.0) << 16) + (srgb(dc.1) << 8) + srgb(dc.2), length: 4)
        for factor in ac {
            func quantise(_ value: Double) -> Int {
                Int(max(0, min(18, floor(signPow(value / maximum, 0.5) * 9 + 9.5))))
            }
            hash += base83(quantise(factor.0) * 19 * 19 + quantise(factor.1) * 19 + quantise(factor.2), length: 2)
        }
        return hash
    }

    /// sRGB byte to linear light, for all 256 values.
    private static let linearTable: [Double] = (0...255).map { value in
        let v = Double(value) / 255
        return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
    }

    private static func srgb(_ value: Double) -> Int {
        let v = max(0, min(1, value))
        return v <= 0.0031308 ? Int(v * 12.92 * 255 + 0.5) : Int((1.055 * pow(v, 1 / 2.4) - 0.055) * 255 + 0.5)
    }

    private static func signPow(_ value: Double, _ exponent: Double) -> Double {
        (value < 0 ? -1 : 1) * pow(abs(value), exponent)
    }

    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~")

    private static func base83(_ value: Int, length: Int) -> String {
        var result = ""
        for i in 1...length {
            let digit = (value / Int(pow(83, Double(length - i)))) % 83
            result.append(alphabet[digit])
        }
        return result
    }
}
