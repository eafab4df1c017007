/// StarconMIME: RFC 5322 / 2045–2049 messages (parsing, decoding, writing), pure and without I/O.
/// The parser and writer arrive with the `mime` branch; this file only gives the target a first source.
public enum MIME {}
