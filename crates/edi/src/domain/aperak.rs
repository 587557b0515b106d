//! APERAK, the application error and acknowledgement message: what our application found wrong
//! in a business message a partner sent (or, with no errors, that it was taken in), for EANCOM
//! 97 (D.96A) and EANCOM 2002 (D.01B).
//!
//! ```text
//! UNH+1+APERAK:D:96A:UN:EAN001'     APERAK:D:01B:UN:EAN003 in EANCOM 2002
//! BGM+12E::9+AP-1+27'               BGM+305+AP-1+27' in EANCOM 2002; 6 when nothing is wrong
//! DTM+137:202401160905:203'
//! RFF+ACW:1'                        the UNH reference of the message answered
//! RFF+ON:ZK-2024-0117'              and its document number, when known
//! NAD+MS+<our GLN>::9'
//! NAD+MR+<their GLN>::9'
//! ERC+51::91'                       one ERC per error, code list of ApplicationErrorCode
//! FTX+AAO+++segment 13 (LIN)?: …'   with its detail
//! ```

use edifact::SyntaxError;

use super::envelope::{free_text, Directory, Outbound, GS1_AGENCY};
use super::errors::{ApplicationError, APERAK_CODE_AGENCY};

/// The document an APERAK answers, by its number and reference qualifier (1153), such as ON for
/// an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencedDocument {
    pub qualifier: String,
    pub number: String,
}

impl ReferencedDocument {
    /// An order (RFF+ON).
    pub fn order(number: impl Into<String>) -> Self {
        ReferencedDocument {
            qualifier: "ON".to_owned(),
            number: number.into(),
        }
    }
}

/// An APERAK to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aperak {
    /// Our number for this APERAK (BGM 1004), not the number of the message answered.
    pub document_number: String,
    /// UNH 0062 of the message answered (RFF+ACW).
    pub referenced_message: String,
    pub referenced_document: Option<ReferencedDocument>,
    /// Empty: an acknowledgement (BGM 1225 = 6); otherwise not accepted (27).
    pub errors: Vec<ApplicationError>,
}

/// Writes a complete interchange holding one APERAK, in the outbound directory.
pub fn write_aperak(outbound: &Outbound, aperak: &Aperak) -> Result<Vec<u8>, SyntaxError> {
    let mut writer = outbound.open_interchange()?;
    writer.begin_message(&outbound.directory.message_header("1", "APERAK"))?;
    let function = if aperak.errors.is_empty() { "6" } else { "27" };
    let document_name: &[&str] = match outbound.directory {
        // EANCOM 97 has no UN code for the APERAK and uses its own (12E, agency 9).
        Directory::D96A => &["12E", "", GS1_AGENCY],
        Directory::D01B => &["305"],
    };
    writer.segment("BGM", &[document_name, &[&aperak.document_number], &[function]])?;
    writer.segment("DTM", &[&["137", &outbound.prepared_at_203(), "203"]])?;
    writer.segment("RFF", &[&["ACW", &aperak.referenced_message]])?;
    if let Some(document) = &aperak.referenced_document {
        writer.segment("RFF", &[&[&document.qualifier, &document.number]])?;
    }
    writer.segment("NAD", &[&["MS"], &[&outbound.sender_gln, "", GS1_AGENCY]])?;
    writer.segment("NAD", &[&["MR"], &[&outbound.recipient_gln, "", GS1_AGENCY]])?;
    for error in &aperak.errors {
        writer.segment("ERC", &[&[error.code.aperak_code(), "", APERAK_CODE_AGENCY]])?;
        let detail = error.to_string();
        writer.write_segment(&free_text("AAO", &outbound.fit_text(&detail)))?;
    }
    writer.end_message()?;
    writer.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::errors::ApplicationErrorCode;
    use crate::domain::fixtures::{interchange, outbound, tags_and_values, DEALER_GLN, MANUFACTURER_GLN};
    use crate::domain::orders::read_orders;

    fn owned(values: &[&[&str]]) -> Vec<Vec<String>> {
        values
            .iter()
            .map(|components| components.iter().map(|value| (*value).to_owned()).collect())
            .collect()
    }

    #[test]
    fn errors_of_a_received_order_go_back_in_an_eancom_97_aperak() {
        let received = interchange(
            "UNOC:3",
            "ORDERS:D:96A:UN:EAN008",
            &["BGM+220+ZK-9+9", "DTM+137:20240115:999", "LIN+1", "QTY+21:1.5"],
        );
        let message = &edifact::parse(&received).unwrap().messages[0];
        let mut errors = read_orders(message).unwrap_err();
        errors.push(ApplicationError::new(
            ApplicationErrorCode::UnknownDeliveryLocation,
            "delivery party 4601234000017 is not a delivery location of the dealer",
        ));
        let aperak = Aperak {
            document_number: "AP-1".into(),
            referenced_message: message.header.reference.clone(),
            referenced_document: Some(ReferencedDocument::order("ZK-9")),
            errors,
        };
        let bytes = write_aperak(&outbound(Directory::D96A), &aperak).unwrap();

        let interchange = edifact::parse(&bytes).unwrap();
        assert_eq!(interchange.header.sender.id, MANUFACTURER_GLN);
        assert_eq!(interchange.header.recipient.id, DEALER_GLN);
        let written = &interchange.messages[0];
        assert_eq!(written.header.message_type, "APERAK");
        assert_eq!(written.header.release, "96A");
        assert_eq!(written.header.association.as_deref(), Some("EAN001"));
        let segments = tags_and_values(written);
        assert_eq!(
            segments[..7],
            [
                ("BGM".to_owned(), owned(&[&["12E", "", "9"], &["AP-1"], &["27"]])),
                ("DTM".to_owned(), owned(&[&["137", "202401160905", "203"]])),
                ("RFF".to_owned(), owned(&[&["ACW", "1"]])),
                ("RFF".to_owned(), owned(&[&["ON", "ZK-9"]])),
                ("NAD".to_owned(), owned(&[&["MS"], &[MANUFACTURER_GLN, "", "9"]])),
                ("NAD".to_owned(), owned(&[&["MR"], &[DEALER_GLN, "", "9"]])),
                ("ERC".to_owned(), owned(&[&["12", "", "91"]])),
            ]
        );
        let codes: Vec<&str> = written
            .segments()
            .filter(|segment| segment.tag() == "ERC")
            .filter_map(|segment| segment.value(1, 1))
            .collect();
        assert_eq!(codes, ["12", "12", "13", "54"]);
        let details: Vec<String> = written
            .segments()
            .filter(|segment| segment.tag() == "FTX")
            .map(|segment| {
                assert_eq!(segment.value(1, 1), Some("AAO"));
                segment.components(4).collect::<String>()
            })
            .collect();
        assert_eq!(details[0], "segment 4 (DTM): unknown date format 999 in DTM+137");
        assert_eq!(
            details[2],
            "segment 5 (LIN): item identification of line 1 (LIN C212 or PIA)"
        );
    }

    #[test]
    fn an_acknowledgement_in_eancom_2002_has_no_errors() {
        let aperak = Aperak {
            document_number: "AP-2".into(),
            referenced_message: "MSG7".into(),
            referenced_document: None,
            errors: Vec::new(),
        };
        let bytes = write_aperak(&outbound(Directory::D01B), &aperak).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        assert_eq!(message.header.association.as_deref(), Some("EAN003"));
        assert_eq!(message.header.release, "01B");
        let tags: Vec<&str> = message.segments().map(|segment| segment.tag()).collect();
        assert_eq!(tags, ["BGM", "DTM", "RFF", "NAD", "NAD"]);
        assert_eq!(message.segment(0).unwrap().value(1, 1), Some("305"));
        assert_eq!(message.segment(0).unwrap().value(3, 1), Some("6"));
    }

    #[test]
    fn long_and_foreign_details_still_fit() {
        let detail = format!("Товар {}", "x".repeat(400));
        let aperak = Aperak {
            document_number: "AP-3".into(),
            referenced_message: "1".into(),
            referenced_document: None,
            errors: vec![ApplicationError::new(ApplicationErrorCode::NotAccepted, detail)],
        };
        let bytes = write_aperak(&outbound(Directory::D96A), &aperak).unwrap();
        let message = &edifact::parse(&bytes).unwrap().messages[0];
        let ftx = message.segments().find(|segment| segment.tag() == "FTX").unwrap();
        let components = ftx.components(4).collect::<Vec<_>>();
        assert_eq!(components.len(), 5);
        assert!(components.iter().all(|component| component.chars().count() <= 70));
        assert!(components[0].starts_with("????? x"));
        let erc = message.segments().find(|segment| segment.tag() == "ERC").unwrap();
        assert_eq!(erc.value(1, 1), Some("60"));
    }
}
