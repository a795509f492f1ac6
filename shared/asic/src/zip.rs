//! A ZIP archive (APPNOTE 6.3.10) written as it is sent: every entry is
//! stored (not compressed: PDFs and scans are compressed already), its name is
//! UTF-8 (flag bit 11), and the writer only ever hands back the bytes to send
//! next, so an archive of any size needs the memory of one entry's headers.
//!
//! An entry whose data is known before it is sent gets its CRC-32 and sizes in
//! its local header ([`Zip::start`] with [`Known`]); an entry produced as it is
//! sent (an inner archive, a file read in pieces) gets them in a data
//! descriptor after its data ([`Zip::start`] with `None`). Offsets, sizes and
//! counts past ZIP's 32-bit (16-bit) fields use ZIP64 records, so the
//! archive of a whole year is one valid file.

use chrono::{Datelike, NaiveDateTime, Timelike};
use thiserror::Error;

const LOCAL: u32 = 0x0403_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const DESCRIPTOR: u32 = 0x0807_4b50;
const END: u32 = 0x0605_4b50;
const END64: u32 = 0x0606_4b50;
const LOCATOR64: u32 = 0x0706_4b50;
/// Flag bit 3: CRC and sizes follow the data.
const FLAG_DESCRIPTOR: u16 = 0x0008;
/// Flag bit 11: the name is UTF-8.
const FLAG_UTF8: u16 = 0x0800;
const VERSION: u16 = 20;
const VERSION64: u16 = 45;
const MAX32: u64 = 0xFFFF_FFFF;

/// What is wrong with an entry.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ZipError {
    /// Empty, absolute, with `..` or a backslash, or too long.
    #[error("invalid entry name {0:?}")]
    Name(String),
    /// Two entries with one name.
    #[error("two entries named {0:?}")]
    Duplicate(String),
    /// [`Zip::start`] while an entry is open, or [`Zip::data`]/[`Zip::end`]
    /// with none.
    #[error("entries must be started, filled and ended in turn")]
    Order,
    /// The data sent is not what [`Known`] announced.
    #[error("entry {0:?}: its data is not the announced size or CRC")]
    Mismatch(String),
    /// A streamed entry of 4 GiB or more (its data descriptor is 32-bit).
    #[error("entry {0:?} is too large to stream")]
    TooLarge(String),
}

/// The CRC-32 and size of data known before it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// CRC-32 (ISO-HDLC) of the data.
    pub crc32: u32,
    /// Length in bytes.
    pub size: u64,
}

impl Known {
    /// The CRC-32 and size of `data`.
    #[must_use]
    pub fn of(data: &[u8]) -> Self {
        Self {
            crc32: crc32fast::hash(data),
            size: data.len() as u64,
        }
    }
}

/// An entry being written.
struct Open {
    name: String,
    offset: u64,
    modified: (u16, u16),
    known: Option<Known>,
    hasher: crc32fast::Hasher,
    size: u64,
}

/// The writer: hands back the bytes to send, in order.
pub struct Zip {
    offset: u64,
    central: Vec<u8>,
    count: u64,
    names: std::collections::HashSet<String>,
    open: Option<Open>,
    /// Sizes and offsets from here on use ZIP64 fields: 2^32 - 1, lower only
    /// in tests, to exercise ZIP64 without writing 4 GiB.
    limit: u64,
}

impl std::fmt::Debug for Zip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Zip")
            .field("offset", &self.offset)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl Default for Zip {
    fn default() -> Self {
        Self::new()
    }
}

impl Zip {
    /// An empty archive.
    #[must_use]
    pub fn new() -> Self {
        Self {
            offset: 0,
            central: Vec::new(),
            count: 0,
            names: std::collections::HashSet::new(),
            open: None,
            limit: MAX32,
        }
    }

    /// An archive that uses ZIP64 fields for any size, offset or count of
    /// `limit` or more (tests).
    #[cfg(test)]
    pub(crate) fn with_zip64_from(limit: u64) -> Self {
        Self {
            limit,
            ..Self::new()
        }
    }

    /// `v` in a 32-bit field: itself, or the ZIP64 placeholder.
    fn small(&self, v: u64) -> u32 {
        if v >= self.limit { u32::MAX } else { v as u32 }
    }

    /// Bytes handed back so far.
    #[must_use]
    pub fn written(&self) -> u64 {
        self.offset
    }

    /// Starts entry `name` modified at `modified` (a local wall-clock time, as
    /// ZIP keeps it, to the even second): the bytes of its local header. With
    /// `known`, the header carries its CRC and size and no extra field (as
    /// ASiC's `mimetype` requires); without, they follow in a data descriptor.
    pub fn start(
        &mut self,
        name: &str,
        modified: NaiveDateTime,
        known: Option<Known>,
    ) -> Result<Vec<u8>, ZipError> {
        if self.open.is_some() {
            return Err(ZipError::Order);
        }
        check_name(name)?;
        if !self.names.insert(name.to_owned()) {
            return Err(ZipError::Duplicate(name.to_owned()));
        }
        let (time, date) = dos_time(modified);
        let big = known.is_some_and(|k| k.size >= self.limit);
        let mut h = Vec::with_capacity(30 + name.len() + 20);
        put32(&mut h, LOCAL);
        put16(&mut h, if big { VERSION64 } else { VERSION });
        put16(&mut h, flags(known.is_none()));
        put16(&mut h, 0); // stored
        put16(&mut h, time);
        put16(&mut h, date);
        let (crc, size) = known.map_or((0, 0), |k| (k.crc32, k.size));
        put32(&mut h, crc);
        put32(&mut h, self.small(size));
        put32(&mut h, self.small(size));
        put16(&mut h, name.len() as u16);
        put16(&mut h, if big { 20 } else { 0 });
        h.extend_from_slice(name.as_bytes());
        if big {
            put16(&mut h, 0x0001);
            put16(&mut h, 16);
            put64(&mut h, size);
            put64(&mut h, size);
        }
        self.open = Some(Open {
            name: name.to_owned(),
            offset: self.offset,
            modified: (time, date),
            known,
            hasher: crc32fast::Hasher::new(),
            size: 0,
        });
        self.offset += h.len() as u64;
        Ok(h)
    }

    /// Counts `chunk` of the open entry's data, which the caller sends as it is.
    pub fn data(&mut self, chunk: &[u8]) -> Result<(), ZipError> {
        let open = self.open.as_mut().ok_or(ZipError::Order)?;
        open.hasher.update(chunk);
        open.size += chunk.len() as u64;
        self.offset += chunk.len() as u64;
        Ok(())
    }

    /// Ends the open entry: the bytes of its data descriptor (none for an
    /// entry started with [`Known`], whose data must have matched).
    pub fn end(&mut self) -> Result<Vec<u8>, ZipError> {
        let open = self.open.take().ok_or(ZipError::Order)?;
        let crc = open.hasher.clone().finalize();
        let mut descriptor = Vec::new();
        match open.known {
            Some(k) if k.crc32 != crc || k.size != open.size => {
                return Err(ZipError::Mismatch(open.name));
            }
            Some(_) => {}
            None if open.size >= MAX32 => return Err(ZipError::TooLarge(open.name)),
            None => {
                put32(&mut descriptor, DESCRIPTOR);
                put32(&mut descriptor, crc);
                put32(&mut descriptor, open.size as u32);
                put32(&mut descriptor, open.size as u32);
            }
        }
        self.offset += descriptor.len() as u64;
        self.central_entry(&open, crc);
        self.count += 1;
        Ok(descriptor)
    }

    /// Starts, fills and ends an entry of data at hand: every byte to send
    /// (header, then `data`).
    pub fn whole(
        &mut self,
        name: &str,
        modified: NaiveDateTime,
        data: &[u8],
    ) -> Result<Vec<u8>, ZipError> {
        let mut out = self.start(name, modified, Some(Known::of(data)))?;
        self.data(data)?;
        out.extend_from_slice(data);
        out.extend(self.end()?);
        Ok(out)
    }

    fn central_entry(&mut self, open: &Open, crc: u32) {
        let (size, offset) = (open.size, open.offset);
        let mut extra = Vec::new();
        if size >= self.limit {
            put64(&mut extra, size);
            put64(&mut extra, size);
        }
        if offset >= self.limit {
            put64(&mut extra, offset);
        }
        let (small_size, small_offset) = (self.small(size), self.small(offset));
        let c = &mut self.central;
        put32(c, CENTRAL);
        let version = if extra.is_empty() { VERSION } else { VERSION64 };
        put16(c, version); // made by: MS-DOS, no external attributes
        put16(c, version);
        put16(c, flags(open.known.is_none()));
        put16(c, 0);
        put16(c, open.modified.0);
        put16(c, open.modified.1);
        put32(c, crc);
        put32(c, small_size);
        put32(c, small_size);
        put16(c, open.name.len() as u16);
        put16(
            c,
            if extra.is_empty() {
                0
            } else {
                4 + extra.len() as u16
            },
        );
        put16(c, 0); // comment
        put16(c, 0); // disk
        put16(c, 0); // internal attributes
        put32(c, 0); // external attributes
        put32(c, small_offset);
        c.extend_from_slice(open.name.as_bytes());
        if !extra.is_empty() {
            put16(c, 0x0001);
            put16(c, extra.len() as u16);
            c.extend_from_slice(&extra);
        }
    }

    /// Ends the archive: the central directory and its end records.
    pub fn finish(mut self) -> Result<Vec<u8>, ZipError> {
        if self.open.is_some() {
            return Err(ZipError::Order);
        }
        let start = self.offset;
        let size = self.central.len() as u64;
        let mut out = std::mem::take(&mut self.central);
        let zip64 =
            self.count >= self.limit.min(0xFFFF) || start >= self.limit || size >= self.limit;
        if zip64 {
            let end64 = start + size;
            put32(&mut out, END64);
            put64(&mut out, 44);
            put16(&mut out, VERSION64);
            put16(&mut out, VERSION64);
            put32(&mut out, 0);
            put32(&mut out, 0);
            put64(&mut out, self.count);
            put64(&mut out, self.count);
            put64(&mut out, size);
            put64(&mut out, start);
            put32(&mut out, LOCATOR64);
            put32(&mut out, 0);
            put64(&mut out, end64);
            put32(&mut out, 1);
        }
        put32(&mut out, END);
        put16(&mut out, 0);
        put16(&mut out, 0);
        let count = if zip64 { 0xFFFF } else { self.count as u16 };
        put16(&mut out, count);
        put16(&mut out, count);
        put32(&mut out, self.small(size));
        put32(&mut out, self.small(start));
        put16(&mut out, 0);
        self.offset += out.len() as u64;
        Ok(out)
    }
}

fn flags(descriptor: bool) -> u16 {
    if descriptor {
        FLAG_UTF8 | FLAG_DESCRIPTOR
    } else {
        FLAG_UTF8
    }
}

fn check_name(name: &str) -> Result<(), ZipError> {
    let bad = name.is_empty()
        || name.len() > 1024
        || name.starts_with('/')
        || name.ends_with('/')
        || name.contains('\\')
        || name.chars().any(char::is_control)
        || name
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..");
    if bad {
        return Err(ZipError::Name(name.to_owned()));
    }
    Ok(())
}

/// MS-DOS time and date (years 1980 to 2107; outside, the nearest end).
fn dos_time(t: NaiveDateTime) -> (u16, u16) {
    let year = t.year().clamp(1980, 2107);
    let time = (t.hour() << 11) | (t.minute() << 5) | (t.second() / 2);
    let date = (((year - 1980) as u32) << 9) | (t.month() << 5) | t.day();
    (time as u16, date as u16)
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
