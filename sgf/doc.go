// Package sgf reads and writes SGF (Smart Game Format) game records,
// FF[1] to FF[4], and replays their main lines on a board.Game.
//
// # Trees
//
// Parse turns a file into a Collection: one root Node per game tree. A
// Node keeps every property generically (identifier -> values, in file
// order); Children[0] continues the main line and later children are
// variations. Parsing is iterative, so files whose every move opens a new
// subtree (thousands of levels) are fine. Property identifiers lose their
// lower-case letters as FF[1]-FF[3] prescribe ("VieW" -> "VW"); a repeated
// identifier in one node is merged. Values are stored unescaped ("\]" is
// "]", "\\" is "\", a backslash before a line break removes both). Text
// before the first '(' (and between or after game trees) is ignored.
// Structural errors are *SyntaxError values with a line and column.
//
// Write (and Marshal) produce UTF-8 SGF that Parse reads back into an
// Equal tree.
//
// # Charsets
//
// All text is decoded to UTF-8 with golang.org/x/text. A UTF-8 byte-order
// mark is dropped; UTF-16 with a byte-order mark is decoded first. Each
// game's root CA names its charset (UTF-8, ISO-8859-1 in its spellings,
// Shift_JIS/MS_KANJI, GB2312/GBK/GB18030, Big5, EUC-KR, EUC-JP and the
// WHATWG and IANA names); for the two-byte charsets the tokeniser knows
// character boundaries, so a trail byte equal to ']' or '\' does not end a
// value. A file without CA is UTF-8 if it is valid UTF-8, else ISO-8859-1
// with a warning (the SGF default). A declared legacy charset over text
// that is valid non-ASCII UTF-8 is read as UTF-8 with a warning; invalid
// UTF-8 becomes U+FFFD with a warning. Parse rewrites root CA values to
// "UTF-8" and records the source charset in Collection.Charset.
//
// # Games
//
// Replay plays a main line on a board.Game with full legality checks under
// the record's ruleset (RulesFor): setup AB/AW/AE in any main-line node
// (compressed point lists such as AB[aa:cc] included), PL, passes written
// B[] or, up to 19x19, B[tt], komi (any value; lenient with "5." and
// Fox's hundredfold KM[650]), handicap HA with or without AB. Rectangular
// boards (SZ[19:13]) are ErrUnsupported. A move onto an occupied point, a
// suicide, a ko or superko violation is an error naming the game and move.
//
// # Sets
//
// Walk streams files, directory trees and .tar, .tar.gz/.tgz and .zip
// archives. Names ending in .sgf or .mgt (the extension old SmartGo and
// Many Faces of Go releases used for SGF), in any case, are SGF; other
// names are skipped and counted. One bad file never stops a walk: each
// Record carries its own error.
package sgf
