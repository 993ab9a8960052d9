//! Character encodings of CSV uploads: detecting UTF-8 versus GB 18030 from the start of a file,
//! and a streaming GB 18030 → UTF-8 decoder that plugs in as an [`std::io::Read`].

use std::io::{self, Read};

use encoding_rs::{CoderResult, Decoder, GB18030};

use super::Encoding;

/// How much of the file detection looks at.
pub(crate) const SAMPLE_BYTES: usize = 64 * 1024;

/// The UTF-8 byte-order mark (Excel's "CSV UTF-8" writes one).
pub(crate) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Whether the sample starts with a UTF-16 byte-order mark (Excel's "Unicode 文本").
pub(crate) fn has_utf16_bom(sample: &[u8]) -> bool {
    sample.starts_with(b"\xFF\xFE") || sample.starts_with(b"\xFE\xFF")
}

/// The encoding of a file from its first bytes: a UTF-8 byte-order mark or valid UTF-8 means
/// UTF-8 (a multi-byte sequence cut by the end of the sample counts as valid when the sample is
/// not the whole file); anything else is GB 18030. `complete` says the sample is the whole file.
pub(crate) fn detect(sample: &[u8], complete: bool) -> Encoding {
    if sample.starts_with(UTF8_BOM) {
        return Encoding::Utf8;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => Encoding::Utf8,
        // `error_len() == None`: the input ends inside a sequence that may be completed by the
        // bytes after the sample.
        Err(e) if e.error_len().is_none() && !complete => Encoding::Utf8,
        Err(_) => Encoding::Gb18030,
    }
}

/// Reads GB 18030 bytes from `inner` and yields them as UTF-8. A sequence split between two reads
/// is kept in the decoder's state; a malformed sequence becomes U+FFFD (never a panic), which the
/// CSV reader then reports for the row it lands in.
pub(crate) struct Gb18030Reader<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    in_pos: usize,
    in_len: usize,
    output: Box<[u8]>,
    out_pos: usize,
    out_len: usize,
    /// `inner` returned end of file.
    eof: bool,
    /// The decoder has been flushed after end of file.
    done: bool,
}

impl<R: Read> Gb18030Reader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Gb18030Reader {
            inner,
            decoder: GB18030.new_decoder_without_bom_handling(),
            input: vec![0; 16 * 1024].into_boxed_slice(),
            in_pos: 0,
            in_len: 0,
            // Large enough for any single decoded character, so the decoder always progresses.
            output: vec![0; 32 * 1024].into_boxed_slice(),
            out_pos: 0,
            out_len: 0,
            eof: false,
            done: false,
        }
    }
}

impl<R: Read> Read for Gb18030Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.out_pos < self.out_len {
                let n = buf.len().min(self.out_len - self.out_pos);
                buf[..n].copy_from_slice(&self.output[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.in_pos == self.in_len && !self.eof {
                let n = loop {
                    match self.inner.read(&mut self.input) {
                        Ok(n) => break n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    }
                };
                self.in_pos = 0;
                self.in_len = n;
                self.eof = n == 0;
            }
            let (result, read, written, _had_errors) =
                self.decoder.decode_to_utf8(&self.input[self.in_pos..self.in_len], &mut self.output, self.eof);
            self.in_pos += read;
            self.out_pos = 0;
            self.out_len = written;
            if self.eof && result == CoderResult::InputEmpty {
                self.done = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_utf8_bom_valid_utf8_and_gb18030() {
        assert_eq!(detect(b"\xEF\xBB\xBFa,b", true), Encoding::Utf8);
        assert_eq!(detect("姓名,年龄".as_bytes(), true), Encoding::Utf8);
        assert_eq!(detect(b"abc", true), Encoding::Utf8);
        let (gb, _, _) = GB18030.encode("姓名,年龄");
        assert_eq!(detect(&gb, true), Encoding::Gb18030);
        // A UTF-8 sequence cut by the end of the sample is valid only if the file goes on.
        let cut = &"姓名".as_bytes()[..4];
        assert_eq!(detect(cut, false), Encoding::Utf8);
        assert_eq!(detect(cut, true), Encoding::Gb18030);
    }

    #[test]
    fn decodes_across_read_boundaries() {
        let text = "统一社会信用代码,名称\n91110000MA01ABCD1X,北京某某科技有限公司\n".repeat(2000);
        let (gb, _, _) = GB18030.encode(&text);
        // An inner reader that yields one byte at a time splits every two-byte character.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match self.0.split_first() {
                    Some((b, rest)) if !buf.is_empty() => {
                        buf[0] = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let mut out = String::new();
        Gb18030Reader::new(OneByte(&gb)).read_to_string(&mut out).expect("decodes");
        assert_eq!(out, text);
    }

    #[test]
    fn garbage_and_truncated_input_do_not_panic() {
        let garbage: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let mut out = String::new();
        Gb18030Reader::new(&garbage[..]).read_to_string(&mut out).expect("decodes with replacements");
        assert!(!out.is_empty());
        // A lead byte at the very end becomes one replacement character.
        let mut out = String::new();
        Gb18030Reader::new(&b"ab\x81"[..]).read_to_string(&mut out).expect("decodes");
        assert_eq!(out, "ab\u{FFFD}");
    }
}
