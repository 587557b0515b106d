//! UN/EDIFACT syntax (ISO 9735): reading and writing interchanges, and nothing of what the
//! messages mean. Orders, despatch advices and invoices are built on top of this elsewhere.
//!
//! - [`Tokenizer`] cuts an interchange held in memory into [`RawSegment`]s without copying.
//! - [`Reader`] reads from any [`std::io::BufRead`] as a stream of [`Event`]s (UNB, UNG, whole
//!   messages, UNE, UNZ), holding one message at a time, and checks the envelopes: counts,
//!   references, order, character set. [`parse`] does the same for a small input in one call.
//!   A [`Message`] keeps its decoded values together in one string, shown as [`SegmentView`]s.
//! - [`InterchangeWriter`] writes the envelopes and their counts around the caller's segments,
//!   escaping every service character.
//! - Every error is a [`SyntaxError`] with the segment number, tag, element, component and byte
//!   offset, and the code of data element 0085 that a CONTRL reports.
//!
//! Why our own: the EDIFACT crates on crates.io are unmaintained, or read the whole interchange
//! into a tree, or keep no positions; a CONTRL needs positions, and a PRICAT of a few hundred
//! megabytes must stream. The syntax is small enough to own.

mod charset;
mod delimiters;
mod error;
mod header;
mod reader;
mod scan;
mod segment;
mod tokenizer;
mod writer;

pub use charset::{CharacterError, SyntaxIdentifier};
pub use delimiters::{Delimiters, UNA_LENGTH};
pub use error::{ErrorKind, SyntaxError};
pub use header::{DateTime, GroupHeader, InterchangeHeader, MessageHeader, Party};
pub use reader::{parse, Event, Group, Interchange, Reader};
pub use segment::{Element, Message, Segment, SegmentView};
pub use tokenizer::{RawSegment, RawValue, RawValues, Tokenizer};
pub use writer::{InterchangeWriter, LineBreak, WriterOptions};
