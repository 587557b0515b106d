//! CONTRL, the syntax and service report message of ISO 9735: written to answer an interchange
//! we received, and read when a partner answers ours.
//!
//! The message version follows the syntax version of the interchange, not the EANCOM directory:
//! `CONTRL:D:3:UN` for syntax versions 2 and 3, `CONTRL:4:1:UN` for version 4. Its layout:
//! UCI (the interchange: reference, sender, recipient, action 0083, error 0085, service segment
//! tag 0013, data element S011), then per message at fault UCM, UCS (the segment by its position
//! in the message, UNH being 1) and UCD (the data element).
//!
//! Action codes (0083): 7 accepted (this level and those below, unless reported), 4 rejected,
//! 8 interchange received (nothing checked below).

use edifact::{
    Element, InterchangeHeader, InterchangeWriter, Message, MessageHeader, Party, Segment, SegmentView, SyntaxError,
};
use serde::{Deserialize, Serialize};

use super::envelope::{open_interchange_with, Outbound, GLN_QUALIFIER};
use super::errors::ApplicationError;
use super::values::of_type;

/// What we know of the interchange we answer. All of it comes from its UNB; when the UNB itself
/// could not be read, what is missing is `None`, and the partner profile's GLNs stand in for the
/// parties.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReceivedInterchange {
    pub sender: Option<Party>,
    pub recipient: Option<Party>,
    pub control_reference: Option<String>,
}

impl From<&InterchangeHeader> for ReceivedInterchange {
    fn from(header: &InterchangeHeader) -> Self {
        ReceivedInterchange {
            sender: Some(header.sender.clone()),
            recipient: Some(header.recipient.clone()),
            control_reference: Some(header.control_reference.clone()),
        }
    }
}

/// The message in which a syntax error was found: its UNH, and the number of that UNH in the
/// interchange (UNB is 1), so that the error can be placed within the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageAtFault {
    pub header: MessageHeader,
    pub unh_segment: usize,
}

/// What a CONTRL says of an interchange or a message (data element 0083).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContrlAction {
    /// 7: acknowledged, with the levels below unless reported otherwise.
    Accepted,
    /// 4: rejected, with the levels below.
    Rejected,
    /// 8: received; nothing said about its content.
    Received,
}

impl ContrlAction {
    pub fn code(self) -> &'static str {
        match self {
            ContrlAction::Accepted => "7",
            ContrlAction::Rejected => "4",
            ContrlAction::Received => "8",
        }
    }

    fn from_code(code: &str) -> Option<ContrlAction> {
        match code {
            "7" => Some(ContrlAction::Accepted),
            "4" => Some(ContrlAction::Rejected),
            "8" => Some(ContrlAction::Received),
            _ => None,
        }
    }
}

/// A CONTRL a partner sent us about one of our interchanges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContrlReport {
    /// UCI 0020: the control reference of our interchange.
    pub referenced_control_reference: String,
    /// UCI 0083.
    pub action: ContrlAction,
    /// UCI 0085, or else the first code reported for a message, segment or data element.
    pub error_code: Option<u16>,
    /// One per UCM.
    pub messages: Vec<MessageReport>,
}

/// What a CONTRL says of one message of ours (UCM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageReport {
    /// UCM 0062.
    pub reference: String,
    /// UCM 0065.
    pub message_type: String,
    pub action: ContrlAction,
    /// UCM 0085, or else the first code of its UCS and UCD.
    pub error_code: Option<u16>,
}

/// Service segments that stand outside messages, reported in UCI.
const INTERCHANGE_SERVICE_TAGS: [&str; 5] = ["UNA", "UNB", "UNZ", "UNG", "UNE"];

/// Writes the CONTRL answering a received interchange: acceptance when `error` is `None`,
/// rejection with the error's code (0085) and position otherwise. The interchange goes from the
/// party the partner addressed to the partner, as it named both in its UNB; `outbound` gives
/// our control reference, syntax, preparation time and test indicator (its directory does not
/// matter here).
///
/// An error inside a message is reported with UCM, UCS and UCD when `message` says which
/// message; without it, only in UCI.
pub fn write_contrl(
    outbound: &Outbound,
    received: &ReceivedInterchange,
    error: Option<&SyntaxError>,
    message: Option<&MessageAtFault>,
) -> Result<Vec<u8>, SyntaxError> {
    let them = received
        .sender
        .clone()
        .unwrap_or_else(|| Party::new(&outbound.recipient_gln, Some(GLN_QUALIFIER)));
    let us = received
        .recipient
        .clone()
        .unwrap_or_else(|| Party::new(&outbound.sender_gln, Some(GLN_QUALIFIER)));
    let header = outbound.interchange_header_between(us.clone(), them.clone());
    let mut writer = open_interchange_with(&header)?;
    let (version, release) = if outbound.syntax_version >= 4 {
        ("4", "1")
    } else {
        ("D", "3")
    };
    writer.begin_message(&MessageHeader::new("1", "CONTRL", version, release))?;

    let reference = received.control_reference.clone().unwrap_or_default();
    // UCI names the interchange's parties as the partner sent them: sender first.
    let uci = |action: ContrlAction, rest: Vec<Element>| {
        let mut elements = vec![
            Element::simple(&reference),
            party_element(&them),
            party_element(&us),
            Element::simple(action.code()),
        ];
        elements.extend(rest);
        Segment::new("UCI", elements)
    };
    match error {
        None => writer.write_segment(&uci(ContrlAction::Accepted, Vec::new()))?,
        Some(error) => match message.filter(|message| is_inside(error, message)) {
            None => writer.write_segment(&uci(ContrlAction::Rejected, error_details(error)))?,
            Some(message) => {
                writer.write_segment(&uci(ContrlAction::Rejected, Vec::new()))?;
                write_message_error(&mut writer, outbound.syntax_version, error, message)?;
            }
        },
    }
    writer.end_message()?;
    writer.finish()
}

/// Whether the error lies within the message, from its UNH to its UNT.
fn is_inside(error: &SyntaxError, message: &MessageAtFault) -> bool {
    let outside_messages = error.tag().is_some_and(|tag| INTERCHANGE_SERVICE_TAGS.contains(&tag));
    !outside_messages && error.segment().is_some_and(|number| number >= message.unh_segment)
}

/// 0085, and the service segment tag 0013 and data element S011 when the error is in a service
/// segment: the elements after the action in UCI and UCM.
fn error_details(error: &SyntaxError) -> Vec<Element> {
    let mut elements = vec![Element::simple(error.code().to_string())];
    if let Some(tag) = error.tag().filter(|tag| tag.starts_with("UN")) {
        elements.push(Element::simple(tag));
        if let Some(element) = error.element() {
            elements.push(data_element_identification(element, error.component()));
        }
    }
    elements
}

fn write_message_error(
    writer: &mut InterchangeWriter<Vec<u8>>,
    syntax_version: u8,
    error: &SyntaxError,
    message: &MessageAtFault,
) -> Result<(), SyntaxError> {
    let header = &message.header;
    let identifier = Element::composite([
        header.message_type.clone(),
        header.version.clone(),
        header.release.clone(),
        header.agency.clone(),
        header.association.clone().unwrap_or_default(),
    ]);
    let mut ucm = vec![
        Element::simple(&header.reference),
        identifier,
        Element::simple(ContrlAction::Rejected.code()),
    ];
    let tag = error.tag().unwrap_or_default();
    let (Some(number), false) = (error.segment(), matches!(tag, "UNH" | "UNT")) else {
        // The error is in UNH or UNT themselves: reported in UCM.
        ucm.extend(error_details(error));
        return writer.write_segment(&Segment::new("UCM", ucm));
    };
    writer.write_segment(&Segment::new("UCM", ucm))?;
    let position = (number + 1 - message.unh_segment).to_string();
    let code = error.code().to_string();
    match error.element() {
        Some(element) => {
            writer.segment("UCS", &[&[&position]])?;
            writer.write_segment(&Segment::new(
                "UCD",
                vec![
                    Element::simple(&code),
                    data_element_identification(element, error.component()),
                ],
            ))
        }
        // Syntax 4 puts the data element identification S011 before the code in UCS.
        None if syntax_version >= 4 => writer.segment("UCS", &[&[&position], &[""], &[&code]]),
        None => writer.segment("UCS", &[&[&position], &[&code]]),
    }
}

/// S011: the erroneous data element's position in the segment, and its component's.
fn data_element_identification(element: usize, component: Option<usize>) -> Element {
    Element::composite([
        element.to_string(),
        component.map(|component| component.to_string()).unwrap_or_default(),
    ])
}

/// S002/S003: identification, qualifier and routing as the partner wrote them.
fn party_element(party: &Party) -> Element {
    Element::composite([
        party.id.clone(),
        party.qualifier.clone().unwrap_or_default(),
        party.routing.clone().unwrap_or_default(),
    ])
}

/// Reads a CONTRL a partner sent about one of our interchanges.
pub fn read_contrl(message: &Message) -> Result<ContrlReport, Vec<ApplicationError>> {
    of_type(message, "CONTRL")?;
    // UCS has 0085 second in syntax 3 and third (after S011) in syntax 4.
    let ucs_code_element = if message.header.version == "4" { 3 } else { 2 };
    let mut errors = Vec::new();
    let mut report: Option<ContrlReport> = None;
    let mut lower_code: Option<u16> = None;
    for segment in message.segments() {
        let segment = &segment;
        match segment.tag() {
            "UCI" if report.is_none() => {
                let action = read_action(segment, 4, &mut errors);
                let error_code = read_code(segment, 5, &mut errors);
                report = Some(ContrlReport {
                    referenced_control_reference: segment.value(1, 1).unwrap_or_default().to_owned(),
                    action: action.unwrap_or(ContrlAction::Rejected),
                    error_code,
                    messages: Vec::new(),
                });
                if segment.value(1, 1).unwrap_or_default().is_empty() {
                    errors.push(ApplicationError::missing("interchange control reference (UCI 0020)").at(segment));
                }
            }
            "UCM" => {
                let action = read_action(segment, 3, &mut errors);
                let error_code = read_code(segment, 4, &mut errors);
                if let (Some(report), Some(action)) = (report.as_mut(), action) {
                    report.messages.push(MessageReport {
                        reference: segment.value(1, 1).unwrap_or_default().to_owned(),
                        message_type: segment.value(2, 1).unwrap_or_default().to_owned(),
                        action,
                        error_code,
                    });
                }
            }
            "UCS" | "UCD" => {
                let element = if segment.tag() == "UCS" { ucs_code_element } else { 1 };
                let code = read_code(segment, element, &mut errors);
                if let Some(last) = report.as_mut().and_then(|report| report.messages.last_mut()) {
                    last.error_code = last.error_code.or(code);
                }
                lower_code = lower_code.or(code);
            }
            _ => {}
        }
    }
    let Some(mut report) = report else {
        errors.push(ApplicationError::missing("interchange response (UCI)").at_tag("UCI"));
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let first_message_code = report.messages.iter().find_map(|message| message.error_code);
    report.error_code = report.error_code.or(first_message_code).or(lower_code);
    Ok(report)
}

/// 0083: the fourth element of UCI, the third of UCM.
fn read_action(segment: &SegmentView<'_>, element: usize, errors: &mut Vec<ApplicationError>) -> Option<ContrlAction> {
    let code = segment.value(element, 1).unwrap_or_default();
    let action = ContrlAction::from_code(code);
    if action.is_none() {
        errors.push(ApplicationError::invalid(format!("action {code:?} (0083) is not 4, 7 or 8")).at(segment));
    }
    action
}

fn read_code(segment: &SegmentView<'_>, element: usize, errors: &mut Vec<ApplicationError>) -> Option<u16> {
    let code = segment.value(element, 1).filter(|code| !code.is_empty())?;
    match code.parse::<u16>() {
        Ok(code) => Some(code),
        Err(_) => {
            errors.push(
                ApplicationError::invalid(format!("syntax error code {code:?} (0085) is not a number")).at(segment),
            );
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::domain::envelope::Directory;
    use crate::domain::fixtures::{interchange, only_message, outbound, DEALER_GLN, MANUFACTURER_GLN};

    fn received_orders() -> Vec<u8> {
        interchange("UNOC:3", "ORDERS:D:96A:UN:EAN008", &["BGM+220+ZK-1+9", "QTY+21:x"])
    }

    fn segments_of(bytes: &[u8]) -> Vec<String> {
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        text.trim_end_matches('\'').split('\'').map(str::to_owned).collect()
    }

    #[test]
    fn an_accepted_interchange_is_answered_with_action_7() {
        let received = edifact::parse(&received_orders()).unwrap();
        let bytes = write_contrl(
            &outbound(Directory::D96A),
            &ReceivedInterchange::from(&received.header),
            None,
            None,
        )
        .unwrap();
        let segments = segments_of(&bytes);
        assert_eq!(
            segments[1],
            format!("UNB+UNOC:3+{MANUFACTURER_GLN}:14+{DEALER_GLN}:14+240116:0905+DP000042")
        );
        assert_eq!(segments[2], "UNH+1+CONTRL:D:3:UN");
        assert_eq!(
            segments[3],
            format!("UCI+ORD0001+{DEALER_GLN}:14+{MANUFACTURER_GLN}:14+7")
        );
        assert_eq!(segments[4..], ["UNT+3+1", "UNZ+1+DP000042"]);

        let report = read_contrl(&only_message(&bytes)).unwrap();
        assert_eq!(
            report,
            ContrlReport {
                referenced_control_reference: "ORD0001".into(),
                action: ContrlAction::Accepted,
                error_code: None,
                messages: Vec::new(),
            }
        );
    }

    #[test]
    fn an_error_in_a_message_is_placed_with_ucm_ucs_and_ucd() {
        let bytes = received_orders();
        let interchange = edifact::parse(&bytes).unwrap();
        // As the application would find it: QTY is segment 4 of the interchange, 3 of the message.
        let error = edifact::Segment {
            tag: "QTY".into(),
            number: 4,
            ..Default::default()
        }
        .error(
            edifact::ErrorKind::InvalidTypeOfCharacters("x".into()),
            Some(1),
            Some(2),
        );
        let message = MessageAtFault {
            header: interchange.messages[0].header.clone(),
            unh_segment: 2,
        };
        let contrl = write_contrl(
            &outbound(Directory::D96A),
            &ReceivedInterchange::from(&interchange.header),
            Some(&error),
            Some(&message),
        )
        .unwrap();
        let segments = segments_of(&contrl);
        assert_eq!(
            segments[3..7],
            [
                format!("UCI+ORD0001+{DEALER_GLN}:14+{MANUFACTURER_GLN}:14+4"),
                "UCM+1+ORDERS:D:96A:UN:EAN008+4".to_owned(),
                "UCS+3".to_owned(),
                "UCD+37+1:2".to_owned(),
            ]
        );
        let report = read_contrl(&only_message(&contrl)).unwrap();
        assert_eq!(report.action, ContrlAction::Rejected);
        assert_eq!(report.error_code, Some(37));
        assert_eq!(
            report.messages,
            vec![MessageReport {
                reference: "1".into(),
                message_type: "ORDERS".into(),
                action: ContrlAction::Rejected,
                error_code: Some(37),
            }]
        );
    }

    #[test]
    fn an_envelope_error_from_the_reader_is_reported_in_uci() {
        let mut damaged = received_orders();
        // A wrong UNT count: the reader's error names UNT, which is inside the message.
        let text = String::from_utf8(damaged.clone())
            .unwrap()
            .replace("UNT+4+1", "UNT+9+1");
        damaged = text.into_bytes();
        let error = edifact::parse(&damaged).unwrap_err();
        assert_eq!(error.code(), 29);
        assert_eq!(error.tag(), Some("UNT"));

        // Without knowing the message, everything goes into UCI.
        let received = ReceivedInterchange {
            sender: Some(Party::new(DEALER_GLN, Some("14"))),
            recipient: Some(Party::new(MANUFACTURER_GLN, Some("14"))),
            control_reference: Some("ORD0001".into()),
        };
        let contrl = write_contrl(&outbound(Directory::D96A), &received, Some(&error), None).unwrap();
        let uci = &segments_of(&contrl)[3];
        assert!(
            uci.starts_with(&format!("UCI+ORD0001+{DEALER_GLN}:14+{MANUFACTURER_GLN}:14+4+29+UNT")),
            "{uci}"
        );

        // Knowing it, in UCM with the tag.
        let message = MessageAtFault {
            header: MessageHeader::new("1", "ORDERS", "D", "96A"),
            unh_segment: 2,
        };
        let contrl = write_contrl(&outbound(Directory::D96A), &received, Some(&error), Some(&message)).unwrap();
        let segments = segments_of(&contrl);
        assert!(
            segments[4].starts_with("UCM+1+ORDERS:D:96A:UN+4+29+UNT"),
            "{}",
            segments[4]
        );
        assert_eq!(read_contrl(&only_message(&contrl)).unwrap().error_code, Some(29));
    }

    #[test]
    fn an_unreadable_unb_is_answered_to_the_profile_parties() {
        let error = edifact::parse(b"UNB+UNOX:3+A+B+240101:0000+1'UNZ+0+1'").unwrap_err();
        assert_eq!((error.code(), error.tag()), (2, Some("UNB")));
        let contrl = write_contrl(
            &outbound(Directory::D01B),
            &ReceivedInterchange::default(),
            Some(&error),
            None,
        )
        .unwrap();
        let segments = segments_of(&contrl);
        assert!(segments[1].starts_with(&format!("UNB+UNOC:3+{MANUFACTURER_GLN}:14+{DEALER_GLN}:14")));
        assert_eq!(
            segments[3],
            format!("UCI++{DEALER_GLN}:14+{MANUFACTURER_GLN}:14+4+2+UNB+1:1")
        );
        let report = read_contrl(&only_message(&contrl));
        // No reference to match it to: such a CONTRL is written, but one we received would be refused.
        assert_eq!(
            report.unwrap_err()[0].code,
            crate::domain::errors::ApplicationErrorCode::MissingData
        );
    }

    #[test]
    fn syntax_version_4_writes_contrl_4_1() {
        let mut outbound = outbound(Directory::D01B);
        outbound.syntax = edifact::SyntaxIdentifier::Unoy;
        outbound.syntax_version = 4;
        let received = ReceivedInterchange {
            sender: Some(Party::new(DEALER_GLN, Some("14"))),
            recipient: Some(Party::new(MANUFACTURER_GLN, Some("14"))),
            control_reference: Some("77".into()),
        };
        let error = edifact::Segment {
            tag: "BGM".into(),
            number: 3,
            ..Default::default()
        }
        .error(edifact::ErrorKind::TooManyRepetitions, None, None);
        let message = MessageAtFault {
            header: MessageHeader::new("M1", "ORDERS", "D", "01B"),
            unh_segment: 2,
        };
        let contrl = write_contrl(&outbound, &received, Some(&error), Some(&message)).unwrap();
        let interchange = edifact::parse(&contrl).unwrap();
        let message = &interchange.messages[0];
        assert_eq!(
            (message.header.version.as_str(), message.header.release.as_str()),
            ("4", "1")
        );
        let text = String::from_utf8(contrl.clone()).unwrap();
        assert!(text.contains("UCS+2++35'"), "{text}");
        let report = read_contrl(message).unwrap();
        assert_eq!(report.referenced_control_reference, "77");
        assert_eq!(report.error_code, Some(35));
    }

    #[test]
    fn partner_contrls_are_read() {
        let bytes = interchange(
            "UNOC:3",
            "CONTRL:D:3:UN",
            &[
                "UCI+DP000042+4607001000006:14+4609876000006:14+7",
                "UCM+1+APERAK:D:96A:UN:EAN001+4+12+UNH+2:3",
                "UCM+2+APERAK:D:96A:UN:EAN001+7",
            ],
        );
        let report = read_contrl(&only_message(&bytes)).unwrap();
        assert_eq!(report.action, ContrlAction::Accepted);
        assert_eq!(report.error_code, Some(12));
        let actions: Vec<(&str, ContrlAction)> = report
            .messages
            .iter()
            .map(|message| (message.reference.as_str(), message.action))
            .collect();
        assert_eq!(actions, [("1", ContrlAction::Rejected), ("2", ContrlAction::Accepted)]);

        let received_only = interchange("UNOC:3", "CONTRL:D:3:UN", &["UCI+DP000042+A+B+8"]);
        assert_eq!(
            read_contrl(&only_message(&received_only)).unwrap().action,
            ContrlAction::Received
        );

        let unknown = interchange("UNOC:3", "CONTRL:D:3:UN", &["UCI+DP000042+A+B+1"]);
        assert_eq!(read_contrl(&only_message(&unknown)).unwrap_err()[0].segment, Some(3));
    }
}
