//! The run manifest: what a run read and wrote, fingerprinted, so that a decision file can be
//! tied months later to the exact policy, schema, portfolio and as-of date that produced it,
//! and the run repeated to the byte.
//!
//! Schema `arrears.manifest/1`. It holds no clock time, host or thread count: the same inputs
//! give the same manifest.

use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use serde_json::json;
use sha2::{Digest, Sha256};

/// The size and SHA-256 of some bytes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fingerprint {
    pub(crate) bytes: u64,
    pub(crate) sha256: String,
}

impl Fingerprint {
    pub(crate) fn of(bytes: &[u8]) -> Fingerprint {
        let mut hasher = Hasher::default();
        hasher.update(bytes);
        hasher.finish()
    }

    fn json(&self, path: &str) -> serde_json::Value {
        json!({ "path": path, "bytes": self.bytes, "sha256": self.sha256 })
    }
}

/// Lowercase hexadecimal.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A running SHA-256 and byte count.
#[derive(Default)]
pub(crate) struct Hasher {
    sha: Sha256,
    bytes: u64,
}

impl Hasher {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        self.sha.update(bytes);
        self.bytes += bytes.len() as u64;
    }

    pub(crate) fn finish(self) -> Fingerprint {
        Fingerprint {
            bytes: self.bytes,
            sha256: hex(&self.sha.finalize()),
        }
    }
}

/// A reader that fingerprints everything read through it; the fingerprint is available once
/// the end has been read (the portfolio is hashed on the way in, not read twice).
pub(crate) struct Fingerprinting<R> {
    inner: R,
    hasher: Option<Hasher>,
    done: Arc<Mutex<Option<Fingerprint>>>,
}

impl<R: Read> Fingerprinting<R> {
    /// The reader, and where its fingerprint appears at the end of the input.
    pub(crate) fn new(inner: R) -> (Fingerprinting<R>, Arc<Mutex<Option<Fingerprint>>>) {
        let done = Arc::new(Mutex::new(None));
        let reader = Fingerprinting {
            inner,
            hasher: Some(Hasher::default()),
            done: Arc::clone(&done),
        };
        (reader, done)
    }
}

impl<R: Read> Read for Fingerprinting<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if read == 0 {
            if let Some(hasher) = self.hasher.take()
                && let Ok(mut done) = self.done.lock()
            {
                *done = Some(hasher.finish());
            }
        } else if let Some(hasher) = self.hasher.as_mut() {
            hasher.update(buffer.get(..read).unwrap_or_default());
        }
        Ok(read)
    }
}

/// Everything the manifest records.
pub(crate) struct Manifest<'a> {
    pub(crate) as_of: chrono::NaiveDate,
    pub(crate) policy: (String, Fingerprint),
    pub(crate) schema: (String, Fingerprint),
    /// The modules the policy includes, in the order read.
    pub(crate) modules: Vec<(String, Fingerprint)>,
    pub(crate) portfolio: (&'a str, &'a str, Fingerprint),
    pub(crate) format: &'a str,
    pub(crate) trace: bool,
    pub(crate) redact: bool,
    pub(crate) counts: (u64, u64, u64),
    pub(crate) decisions: Option<(&'a str, Fingerprint)>,
    pub(crate) rejects: Option<(&'a str, Fingerprint)>,
}

impl Manifest<'_> {
    pub(crate) fn to_json(&self) -> String {
        let (portfolio_path, portfolio_format, portfolio) = &self.portfolio;
        let mut input = portfolio.json(portfolio_path);
        if let Some(object) = input.as_object_mut() {
            object.insert("format".into(), json!(portfolio_format));
        }
        let (read, decided, rejected) = self.counts;
        let value = json!({
            "manifest": "arrears.manifest/1",
            "arrears": env!("CARGO_PKG_VERSION"),
            "as_of": self.as_of.format("%Y-%m-%d").to_string(),
            "policy": self.policy.1.json(&self.policy.0),
            "schema": self.schema.1.json(&self.schema.0),
            "modules": self.modules.iter().map(|(p, f)| f.json(p)).collect::<Vec<_>>(),
            "portfolio": input,
            "options": { "format": self.format, "trace": self.trace, "redact": self.redact },
            "counts": { "read": read, "decided": decided, "rejected": rejected },
            "outputs": {
                "decisions": self.decisions.as_ref().map(|(p, f)| f.json(p)),
                "rejects": self.rejects.as_ref().map(|(p, f)| f.json(p)),
            },
        });
        let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_fingerprints_what_passes_through_it() {
        let (mut reader, done) = Fingerprinting::new(&b"abc"[..]);
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        let fingerprint = done.lock().unwrap().clone().unwrap();
        assert_eq!(fingerprint.bytes, 3);
        // SHA-256("abc"), from FIPS 180-2.
        assert_eq!(
            fingerprint.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(Fingerprint::of(b"abc").sha256, fingerprint.sha256);
    }
}
