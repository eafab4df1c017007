import StarconMIME

/// A message written with LF line ends in the source, sent with CRLF as on the wire.
func wire(_ text: String) -> [UInt8] { Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
